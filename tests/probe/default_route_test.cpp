// default_route_interface() on /proc-format fixtures written to a temp dir.
#include "probe/default_route.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace xacct::probe {
namespace {

class DefaultRoute : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xacct_route_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

const char kV4Header[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

TEST_F(DefaultRoute, FirstUpIpv4DefaultWins) {
  auto v4 = write("route", std::string(kV4Header) +
                               "eth1\t0012A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                               "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                               "eth2\t00000000\t0103A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0\n");
  auto v6 = write("ipv6_route", "");
  auto r = default_route_interface(v4, v6);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "eth0");
}

TEST_F(DefaultRoute, FallsBackToIpv6SkippingLoopbackUnreachable) {
  auto v4 = write("route", std::string(kV4Header) +
                               "eth1\t0012A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
  auto v6 = write("ipv6_route",
                  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                  "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
                  "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
                  "00000000000000000000000000000000 00000100 00000001 00000000 00000001     ens5\n"
                  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                  "fe800000000000000000000000000001 00000400 00000001 00000000 00000003     ens5\n");
  auto r = default_route_interface(v4, v6);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "ens5");
}

TEST_F(DefaultRoute, NoDefaultRouteIsAnErrorWithAHint) {
  auto v4 = write("route", kV4Header);
  auto r = default_route_interface(v4, (dir_ / "missing").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("-i IFACE"), std::string::npos);
}

}  // namespace
}  // namespace xacct::probe
