// Test helpers: FlowRecords from readable values.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "userspace/flow_record.hpp"

namespace xacct::userspace::testing {

inline IpAddress ip(const std::string& text) {
  IpAddress a;
  if (text.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) != 1) throw std::invalid_argument(text);
    a.is_v6 = true;
  } else {
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    if (inet_pton(AF_INET, text.c_str(), a.bytes.data() + 12) != 1) throw std::invalid_argument(text);
  }
  return a;
}

inline FlowRecord flow(const std::string& src, const std::string& dst, std::uint16_t sport,
                       std::uint16_t dport, std::uint8_t proto, std::uint64_t packets,
                       std::uint64_t bytes) {
  FlowRecord r;
  r.src_host = ip(src);
  r.dst_host = ip(dst);
  r.src_port = sport;
  r.dst_port = dport;
  r.proto = proto;
  r.packets = packets;
  r.bytes = bytes;
  r.flows = 1;
  return r;
}

}  // namespace xacct::userspace::testing
