// format_ipv4/format_ipv6 (userspace/primitive_encodings.hpp) against glibc's
// inet_ntop, which they replace on the print path: edge addresses (zero runs
// of every length and position, ties, IPv4-compatible and -mapped forms) and
// random addresses biased towards zero words, so every compression case is hit.
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "userspace/primitive_encodings.hpp"

namespace xacct::userspace {
namespace {

std::string mine6(const std::array<std::uint8_t, 16>& a) {
  char buf[kIpTextMax];
  return std::string(buf, format_ipv6(a.data(), buf));
}

std::string libc6(const std::array<std::uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN];
  EXPECT_NE(inet_ntop(AF_INET6, a.data(), buf, sizeof buf), nullptr);
  return buf;
}

std::array<std::uint8_t, 16> from_words(const std::array<std::uint16_t, 8>& w) {
  std::array<std::uint8_t, 16> a{};
  for (int i = 0; i < 8; ++i) {
    a[2 * i] = static_cast<std::uint8_t>(w[i] >> 8);
    a[2 * i + 1] = static_cast<std::uint8_t>(w[i]);
  }
  return a;
}

TEST(IpText, Ipv6EveryZeroWordPattern) {
  // Each of the 256 zero/non-zero word patterns, with several non-zero values
  // (short and long hex, 0xffff for the mapped form, 1 for ::1).
  const std::uint16_t values[] = {1, 0xffff, 0x1a, 0x2001, 0xdb8, 0x100, 0xf};
  int checked = 0;
  for (unsigned mask = 0; mask < 256; ++mask) {
    for (std::uint16_t v : values) {
      std::array<std::uint16_t, 8> w{};
      for (int i = 0; i < 8; ++i) w[i] = (mask >> i & 1) ? v : 0;
      const auto a = from_words(w);
      ASSERT_EQ(mine6(a), libc6(a)) << "mask " << mask << " value " << v;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 256 * 7);
}

TEST(IpText, Ipv6EdgeAddresses) {
  const std::array<std::array<std::uint16_t, 8>, 12> cases = {{
      {0, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 0, 0, 0, 0, 0, 1},
      {0, 0, 0, 0, 0, 0xffff, 0xc612, 0x0001},  // ::ffff:198.18.0.1
      {0, 0, 0, 0, 0, 0xffff, 0, 0},            // ::ffff:0.0.0.0
      {0, 0, 0, 0, 0, 0, 0xc612, 0x0001},       // ::198.18.0.1
      {0, 0, 0, 0, 0, 0, 0, 0x0002},            // ::2 (not ::0.0.0.2)
      {0, 0, 0, 0, 0, 0xfffe, 0xc612, 1},
      {0, 0, 0, 0, 0xffff, 0, 0xc612, 1},
      {0x2001, 0xdb8, 0, 0, 1, 0, 0, 1},  // tie: the first run
      {0x2001, 0xdb8, 0, 1, 0, 0, 0, 1},  // the longer run
      {0x2001, 0, 1, 0, 1, 0, 1, 0},      // single zeros stay
      {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff},
  }};
  for (const auto& w : cases) {
    const auto a = from_words(w);
    EXPECT_EQ(mine6(a), libc6(a));
  }
  EXPECT_EQ(mine6(from_words({0, 0, 0, 0, 0, 0xffff, 0xc612, 0x0001})), "::ffff:198.18.0.1");
  EXPECT_EQ(mine6(from_words({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})), "2001:db8::1:0:0:1");
}

TEST(IpText, Ipv6Random) {
  std::mt19937_64 rng(20261125);
  for (int n = 0; n < 200000; ++n) {
    std::array<std::uint8_t, 16> a{};
    const int mode = n % 4;
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t r = rng();
      std::uint16_t w = static_cast<std::uint16_t>(r);
      if (mode == 1 && (r >> 16) % 2 == 0) w = 0;                      // many zero runs
      if (mode == 2) w = static_cast<std::uint16_t>(w >> ((r >> 20) % 16));  // short hex
      if (mode == 3 && i < 5) w = 0;                                   // near-mapped forms
      if (mode == 3 && i == 5 && (r >> 24) % 2 == 0) w = 0xffff;
      a[2 * i] = static_cast<std::uint8_t>(w >> 8);
      a[2 * i + 1] = static_cast<std::uint8_t>(w);
    }
    ASSERT_EQ(mine6(a), libc6(a)) << n;
  }
}

TEST(IpText, Ipv4EveryOctetValue) {
  for (unsigned v = 0; v < 256; ++v) {
    const std::uint8_t a[4] = {static_cast<std::uint8_t>(v), 0, static_cast<std::uint8_t>(255 - v), 9};
    char mine[kIpTextMax];
    char libc[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, a, libc, sizeof libc), nullptr);
    EXPECT_EQ(std::string(mine, format_ipv4(a, mine)), libc);
  }
}

TEST(IpText, AppendIpBothFamilies) {
  IpAddress v4;
  v4.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1};
  IpAddress v6;
  v6.is_v6 = true;
  v6.bytes = from_words({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10});
  std::string out;
  append_ip(v4, out);
  out += ',';
  append_ip(v6, out);
  out += ',';
  append_ip(IpAddress{}, out);
  EXPECT_EQ(out, "198.18.0.1,2001:db8::10,0.0.0.0");
}

}  // namespace
}  // namespace xacct::userspace
