// Building blocks of the primitive table (primitive.cpp): per-field key
// copies (extract/inject) and value renderers, instantiated per FlowRecord
// member. Internal to the table; nothing else should need them.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "userspace/flow_record.hpp"
#include "userspace/ip_proto_names.hpp"
#include "userspace/json_text.hpp"
#include "userspace/label_pool.hpp"
#include "userspace/primitive.hpp"
#include "userspace/primitive_encodings.hpp"
#include "userspace/timestamp_format.hpp"

namespace xacct::userspace::codecs {

template <typename T>
void append_uint(T v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(v));
  (void)ec;  // 24 chars always fit a u64
  out.append(buf, end);
}

// Key copy of one FlowRecord member, raw bytes.
template <auto Member>
void extract_member(const FlowRecord& r, std::uint8_t* out) {
  std::memcpy(out, &(r.*Member), sizeof(r.*Member));
}
template <auto Member>
void inject_member(const std::uint8_t* in, FlowRecord& r) {
  std::memcpy(&(r.*Member), in, sizeof(r.*Member));
}
template <auto Member>
constexpr std::uint8_t member_size() {
  return static_cast<std::uint8_t>(sizeof(std::declval<FlowRecord>().*Member));
}

// IpAddress: 16 address bytes + the family flag.
constexpr std::uint8_t kIpKeySize = 17;
template <IpAddress FlowRecord::*Member>
void extract_ip(const FlowRecord& r, std::uint8_t* out) {
  std::memcpy(out, (r.*Member).bytes.data(), 16);
  out[16] = (r.*Member).is_v6 ? 1 : 0;
}
template <IpAddress FlowRecord::*Member>
void inject_ip(const std::uint8_t* in, FlowRecord& r) {
  std::memcpy((r.*Member).bytes.data(), in, 16);
  (r.*Member).is_v6 = in[16] != 0;
}

// The label stack: the labels, then their count.
constexpr std::uint8_t kMplsStackKeySize = sizeof(FlowRecord::mpls_label_stack) + 1;
inline void extract_mpls_stack(const FlowRecord& r, std::uint8_t* out) {
  std::memcpy(out, r.mpls_label_stack.data(), sizeof r.mpls_label_stack);
  out[sizeof r.mpls_label_stack] = r.mpls_label_stack_len;
}
inline void inject_mpls_stack(const std::uint8_t* in, FlowRecord& r) {
  std::memcpy(r.mpls_label_stack.data(), in, sizeof r.mpls_label_stack);
  r.mpls_label_stack_len = in[sizeof r.mpls_label_stack];
}
inline std::span<const std::uint32_t> mpls_stack(const FlowRecord& r) {
  return std::span(r.mpls_label_stack).first(std::min<std::size_t>(r.mpls_label_stack_len, r.mpls_label_stack.size()));
}

inline void extract_nothing(const FlowRecord&, std::uint8_t*) {}
inline void inject_nothing(const std::uint8_t*, FlowRecord&) {}
inline void format_nothing(const FlowRecord&, const FormatOptions&, std::string&) {}

template <auto Member>
void format_uint(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_uint(r.*Member, out);
}
template <IpAddress FlowRecord::*Member>
void format_ip(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_ip(r.*Member, out);
}
// Exporter / next-hop addresses: "" while unknown (pmacct, obs).
template <IpAddress FlowRecord::*Member>
void format_peer_ip(const FlowRecord& r, const FormatOptions&, std::string& out) {
  if (!ip_is_unset(r.*Member)) append_ip(r.*Member, out);
}
template <MacAddress FlowRecord::*Member>
void format_mac(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_mac(r.*Member, out);
}
template <TimestampNs FlowRecord::*Member>
void format_time(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  append_timestamp(r.*Member, o.timestamps, out);
}

inline void format_etype(const FlowRecord& r, const FormatOptions&, std::string& out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, r.etype, 16);
  (void)ec;
  out.append(buf, end);
}

template <std::uint8_t FlowRecord::*Member>
void format_proto(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  std::string_view name = o.num_protos ? std::string_view{} : ip_proto_name(r.*Member);
  if (name.empty()) {
    append_uint(r.*Member, out);
  } else {
    out += name;
  }
}

// tcpflags, tunnel_tcpflags: "26", or ["ACK", "PSH", "SYN"] when encoded as array.
template <std::uint8_t FlowRecord::*Member>
void format_tcp_flags_json(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  if (o.tcpflags_as_array) {
    append_tcp_flags_json_array(r.*Member, out);
  } else {
    out += '"';
    append_uint(r.*Member, out);
    out += '"';
  }
}

inline void format_fwd_status_json(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  out += '"';
  if (o.fwd_status_as_string) {
    out += fwd_status_name(r.fwd_status);
  } else {
    append_uint(r.fwd_status, out);
  }
  out += '"';
}

inline void format_mpls_stack(const FlowRecord& r, const FormatOptions&, std::string& out) {
  append_mpls_label_stack(mpls_stack(r), out);
}
inline void format_mpls_stack_json(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  if (o.mpls_label_stack_as_array) {
    append_mpls_label_stack_json_array(mpls_stack(r), out);
  } else {
    out += '"';
    append_mpls_label_stack(mpls_stack(r), out);
    out += '"';
  }
}

inline void format_label(const FlowRecord& r, const FormatOptions&, std::string& out) {
  out += LabelPool::global().lookup(r.label_id);
}

// pre_tag_label_encode_as_map (pmacct after 1.7.7): "k1%v1,k2%v2" as the
// JSON object {"k1": "v1", "k2": "v2"} (pmacct turns '%' into ',' and
// reads key, value pairs; a key without a value is left out, a repeated
// key keeps its first place and its last value); no label is {}.
inline void format_label_json(const FlowRecord& r, const FormatOptions& o, std::string& out) {
  const std::string_view label = LabelPool::global().lookup(r.label_id);
  if (!o.label_as_map) {
    append_json_string(label, out);
    return;
  }
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= label.size(); ++i) {
    if (i == label.size() || label[i] == ',' || label[i] == '%') {
      if (!label.empty()) tokens.push_back(label.substr(start, i - start));
      start = i + 1;
    }
  }
  std::vector<std::pair<std::string_view, std::string_view>> items;
  for (std::size_t i = 0; i + 1 < tokens.size(); i += 2) {
    auto same = std::find_if(items.begin(), items.end(), [&](const auto& kv) { return kv.first == tokens[i]; });
    if (same != items.end()) {
      same->second = tokens[i + 1];
    } else {
      items.emplace_back(tokens[i], tokens[i + 1]);
    }
  }
  out += '{';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    append_json_string(items[i].first, out);
    out += ": ";
    append_json_string(items[i].second, out);
  }
  out += '}';
}

}  // namespace xacct::userspace::codecs
