// See capture_config.hpp.
#include "probe/capture/capture_config.hpp"

#include <net/if.h>

#include <charconv>

namespace xacct::capture {
namespace {

// lookup2's mixing step (Bob Jenkins, 1996): each of a, b, c ends up
// depending on every bit of the three.
void lookup2_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  a -= b; a -= c; a ^= c >> 13;
  b -= c; b -= a; b ^= a << 8;
  c -= a; c -= b; c ^= b >> 13;
  a -= b; a -= c; a ^= c >> 12;
  b -= c; b -= a; b ^= a << 16;
  c -= a; c -= b; c ^= b >> 5;
  a -= b; a -= c; a ^= c >> 3;
  b -= c; b -= a; b ^= a << 10;
  c -= a; c -= b; c ^= b >> 15;
}

std::uint32_t lookup2(const std::uint8_t* k, std::size_t length, std::uint32_t initval) {
  constexpr std::uint32_t kGoldenRatio = 0x9e3779b9;
  std::uint32_t a = kGoldenRatio;
  std::uint32_t b = kGoldenRatio;
  std::uint32_t c = initval;
  auto word = [](const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
  };
  std::size_t left = length;
  for (; left >= 12; left -= 12, k += 12) {
    a += word(k);
    b += word(k + 4);
    c += word(k + 8);
    lookup2_mix(a, b, c);
  }
  c += static_cast<std::uint32_t>(length);
  // The last 0-11 bytes, little-endian into a, b and the upper three
  // bytes of c (its low byte took the length).
  for (std::size_t i = 0; i < left; ++i) {
    const std::uint32_t v = k[i];
    if (i < 4) {
      a += v << (8 * i);
    } else if (i < 8) {
      b += v << (8 * (i - 4));
    } else {
      c += v << (8 * (i - 7));
    }
  }
  lookup2_mix(a, b, c);
  return c;
}

}  // namespace

InputKind select_input(const userspace::CoreConfig& core) {
  if (!core.pcap.savefiles.empty()) return InputKind::kSavefile;
  if (!core.pcap.interfaces_map.empty()) return InputKind::kInterfacesMap;
  if (core.pcap.method == "pcap") return InputKind::kPcapLive;
  return InputKind::kEbpf;
}

userspace::Result<CaptureConfig> make_capture_config(const userspace::CoreConfig& core) {
  const userspace::PcapConfig& p = core.pcap;
  CaptureConfig c;
  c.interfaces = core.interfaces;
  c.interfaces_map = p.interfaces_map;
  c.savefile.files = p.savefiles;
  c.savefile.wait = p.savefile_wait;
  c.savefile.delay_s = p.savefile_delay_s;
  c.savefile.replay = p.savefile_replay == 0 ? 1 : p.savefile_replay;
  c.filter = p.filter;
  c.snaplen = p.snaplen;
  c.promisc = p.promisc;
  if (p.direction == "in") c.direction = userspace::Direction::kIn;
  if (p.direction == "out") c.direction = userspace::Direction::kOut;

  if (p.ifindex == "sys") {
    c.ifindex_mode = IfindexMode::kSys;
  } else if (p.ifindex == "map") {
    c.ifindex_mode = IfindexMode::kMap;
  } else if (p.ifindex == "hash") {
    c.ifindex_mode = IfindexMode::kHash;
  } else if (p.ifindex.empty() || p.ifindex == "none") {
    c.ifindex_mode = IfindexMode::kNone;
  } else {
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(p.ifindex.data(), p.ifindex.data() + p.ifindex.size(), n);
    if (ec != std::errc{} || end != p.ifindex.data() + p.ifindex.size()) {
      return userspace::make_error("pcap_ifindex: invalid value '" + p.ifindex + "'");
    }
    c.ifindex_mode = IfindexMode::kFixed;
    c.ifindex_fixed = n;
  }

  if (c.uses_savefile() && !c.interfaces.empty()) {
    return userspace::make_error(
        "pcap_savefile and pcap_interface exclude each other: read the savefiles or capture, not both");
  }
  if (!c.interfaces_map.empty() && c.uses_savefile()) {
    return userspace::make_error("pcap_interfaces_map and pcap_savefile exclude each other");
  }
  if (!c.interfaces_map.empty() && !c.interfaces.empty()) {
    return userspace::make_error(
        "pcap_interfaces_map and pcap_interface exclude each other: list every interface in the map");
  }
  if (c.ifindex_mode == IfindexMode::kMap && c.interfaces_map.empty()) {
    return userspace::make_error("pcap_ifindex: map needs pcap_interfaces_map");
  }
  if (!c.uses_savefile() && (p.savefile_wait || p.savefile_delay_s != 0 || p.savefile_replay != 1)) {
    return userspace::make_error(
        "pcap_savefile_wait, pcap_savefile_delay and pcap_savefile_replay need pcap_savefile");
  }
  return c;
}

std::uint32_t pmacct_ifname_hash(std::string_view name) {
  return lookup2(reinterpret_cast<const std::uint8_t*>(name.data()), name.size(), 0);
}

std::uint32_t interface_ifindex(const CaptureConfig& config, const std::string& ifname) {
  switch (config.ifindex_mode) {
    case IfindexMode::kNone: return 0;
    case IfindexMode::kSys: return ifname.empty() ? 0 : if_nametoindex(ifname.c_str());
    case IfindexMode::kHash: return ifname.empty() ? 0 : pmacct_ifname_hash(ifname);
    case IfindexMode::kFixed: return config.ifindex_fixed;
    case IfindexMode::kMap: return 0;  // per map line, not per name
  }
  return 0;
}

RecordContext record_context(const CaptureConfig& config, std::uint32_t ifindex) {
  RecordContext ctx;
  ctx.direction = config.direction;
  if (config.direction != userspace::Direction::kUnknown) {
    ctx.ifindex = ifindex;
    ctx.ifindex_from_link = config.ifindex_mode == IfindexMode::kSys;
  }
  return ctx;
}

}  // namespace xacct::capture
