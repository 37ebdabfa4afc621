// See tee_receivers.hpp.
#include "collector/tee_receivers.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace xacct::collector {
namespace {

using userspace::make_error;

bool parse_port(std::string_view s, std::uint16_t& port) {
  unsigned v = 0;
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0 || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

userspace::Result<TeeReceiverAddress> parse_receiver_address(std::string_view text) {
  TeeReceiverAddress out;
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error("invalid receiver '" + std::string(text) + "' (expected [v6]:port)");
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return make_error("invalid receiver '" + std::string(text) + "' (expected address:port or [v6]:port)");
    }
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  std::uint16_t port = 0;
  if (!parse_port(port_text, port)) {
    return make_error("invalid port in receiver '" + std::string(text) + "'");
  }
  char buf[INET6_ADDRSTRLEN] = {};
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&out.addr, &v4, sizeof v4);
    out.addr_len = sizeof v4;
    out.family = AF_INET;
    inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
    out.text = std::string(buf) + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&out.addr, &v6, sizeof v6);
    out.addr_len = sizeof v6;
    out.family = AF_INET6;
    inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
    out.text = "[" + std::string(buf) + "]:" + std::to_string(port);
  } else {
    return make_error("invalid address '" + host + "' in receiver '" + std::string(text) +
                      "' (numeric IPv4 or IPv6 expected)");
  }
  return out;
}

std::vector<TeePoolSpec> parse_tee_receivers(std::string_view text, std::string_view file,
                                             const TeeReceiversLimits& limits, maps::LoadReport& report) {
  std::vector<TeePoolSpec> pools;
  for (const maps::MapRow& row : maps::parse_key_value_rows(text, limits.max_row_len)) {
    if (!row.error.empty()) {
      report.warn(file, row.line, row.error);
      continue;
    }
    TeePoolSpec pool;
    std::string error;
    bool have_id = false, have_ip = false;
    for (const maps::MapToken& t : row.tokens) {
      if (!error.empty()) break;
      if (t.key == "id") {
        std::uint64_t id = 0;
        if (!filter::detail::parse_u64(t.value, id) || id == 0 || id > 0xffffffffu) {
          error = "invalid id '" + t.value + "' (a number > 0)";
        } else {
          pool.id = static_cast<std::uint32_t>(id);
          have_id = true;
        }
      } else if (t.key == "ip") {
        have_ip = true;
        filter::detail::for_each_item(t.value, [&](std::string_view item) {
          if (!error.empty()) return;
          auto addr = parse_receiver_address(item);
          if (!addr) {
            error = addr.error().message;
            return;
          }
          pool.receivers.push_back(std::move(addr.value()));
        });
      } else if (t.key == "tag" || t.key == "tag2") {
        auto list = filter::parse_tag_list(t.value);
        if (!list) {
          error = list.error().message;
        } else {
          (t.key == "tag" ? pool.tags : pool.tags2) = std::move(list.value());
        }
      } else if (t.key == "balance-alg") {
        if (t.value == "rr") {
          pool.balance = TeeBalance::kRoundRobin;
        } else if (t.value == "hash-agent") {
          pool.balance = TeeBalance::kHashAgent;
        } else if (t.value == "hash-crc32") {
          pool.balance = TeeBalance::kHashCrc32;
        } else if (t.value == "hash-tag") {
          pool.balance = TeeBalance::kHashTag;
        } else {
          error = "unknown balance-alg '" + t.value + "' (rr, hash-agent, hash-crc32 or hash-tag)";
        }
      } else if (t.key == "src_port") {
        if (!parse_port(t.value, pool.src_port)) error = "invalid src_port '" + t.value + "'";
      } else if (t.key == "kafka_broker") {
        pool.kafka_broker = t.value;
      } else if (t.key == "kafka_topic") {
        pool.kafka_topic = t.value;
      } else if (t.key == "zmq_address") {
        pool.zmq_address = t.value;
      } else {
        error = "unknown key '" + t.key + "'";
      }
    }
    pool.line = row.line;
    const int methods = int{have_ip} + int{!pool.kafka_broker.empty()} + int{!pool.zmq_address.empty()};
    const bool broker = have_ip ? false : methods == 1;
    if (error.empty() && !have_id) error = "missing id=";
    if (error.empty() && methods > 1) error = "'ip', 'kafka_broker' and 'zmq_address' are mutually exclusive";
    if (error.empty() && methods == 0) error = "missing ip= (or kafka_broker= / zmq_address=)";
    if (error.empty() && have_ip && pool.receivers.empty()) error = "missing ip=";
    if (error.empty() && !pool.kafka_broker.empty() && pool.kafka_topic.empty())
      error = "kafka_topic= missing";
    if (error.empty() && broker && !limits.transparent) {
      error = "tee_transparent must be true to emit to Kafka or ZeroMQ";
    }
    if (error.empty() && broker && pool.balance != TeeBalance::kAll) {
      error = "balance-alg does not apply to Kafka or ZeroMQ pools";
    }
    if (error.empty() && pool.receivers.size() > limits.max_receivers) {
      error = std::to_string(pool.receivers.size()) + " receivers, more than tee_max_receivers (" +
              std::to_string(limits.max_receivers) + ")";
    }
    if (error.empty()) {
      for (const TeePoolSpec& p : pools) {
        if (p.id == pool.id) error = "id " + std::to_string(pool.id) + " is used twice";
      }
    }
    if (error.empty() && pools.size() >= limits.max_pools) {
      error = "more pools than tee_max_receiver_pools (" + std::to_string(limits.max_pools) + ")";
    }
    if (!error.empty()) {
      report.warn(file, row.line, error + "; line skipped");
      continue;
    }
    pools.push_back(std::move(pool));
  }
  return pools;
}

}  // namespace xacct::collector
