// The `aggregate` list (primitive.hpp): parsing, canonical text, and the
// pmacct primitive names xacct does not implement yet.
#include <algorithm>
#include <cctype>

#include "userspace/primitive.hpp"
#include "userspace/text.hpp"

namespace xacct::userspace {
namespace {

// pmacct names that exist but have no field here yet: a clear "not supported
// yet" beats "unknown primitive" for someone migrating a pmacct config.
constexpr std::string_view kUnsupportedPmacct[] = {
    "sum_host", "sum_net", "sum_port", "sum_as", "sum_mac", "as_path", "std_comm", "ext_comm",
    "lrg_comm", "local_pref", "med", "src_as_path", "src_std_comm", "src_ext_comm", "src_lrg_comm",
    "src_local_pref", "src_med", "src_roa", "dst_roa", "mpls_pw_id",
    "sampling_direction", "nat_event", "fw_event", "post_nat_src_host", "post_nat_dst_host",
    "post_nat_src_port", "post_nat_dst_port", "tunnel_flow_label", "nvgre", "class",
    "src_host_country", "dst_host_country", "src_host_pocode", "dst_host_pocode", "src_host_coords",
    "dst_host_coords", "in_cvlan", "out_cvlan", "flow_label", "srv6_seg_ipv6_list", "src_ip_pocode",
    "vrf_name", "ingress_vrf_name", "egress_vrf_name", "in_iface_name", "out_iface_name",
    "path_delay_avg_usec", "path_delay_min_usec", "path_delay_max_usec",
};

}  // namespace

bool is_unsupported_pmacct_primitive(std::string_view name) {
  return std::find(std::begin(kUnsupportedPmacct), std::end(kUnsupportedPmacct), name) !=
         std::end(kUnsupportedPmacct);
}

Result<std::vector<Primitive>> parse_aggregate(std::string_view list) {
  std::vector<Primitive> out;
  bool saw_none = false;
  std::size_t items = 0;
  while (true) {
    std::size_t comma = list.find(',');
    std::string_view raw = trim(list.substr(0, comma));
    std::string item(raw);
    std::transform(item.begin(), item.end(), item.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (item.empty()) return make_error("empty primitive in aggregate list");
    ++items;
    const PrimitiveInfo* info = find_primitive(item);
    if (info == nullptr) {
      if (is_unsupported_pmacct_primitive(item)) {
        return make_error("primitive '" + item + "' is not supported yet");
      }
      return make_error("unknown primitive '" + item + "'");
    }
    if (info->id == Primitive::kNone) {
      saw_none = true;
    } else if (std::find(out.begin(), out.end(), info->id) == out.end()) {
      out.push_back(info->id);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (saw_none && items > 1) return make_error("primitive 'none' cannot be combined with others");
  std::sort(out.begin(), out.end());
  return out;
}

std::string aggregate_to_string(std::span<const Primitive> primitives) {
  if (primitives.empty()) return "none";
  std::vector<Primitive> sorted(primitives.begin(), primitives.end());
  std::sort(sorted.begin(), sorted.end());
  std::string s;
  for (Primitive p : sorted) {
    if (!s.empty()) s += ", ";
    s += primitive_info(p).name;
  }
  return s;
}

}  // namespace xacct::userspace
