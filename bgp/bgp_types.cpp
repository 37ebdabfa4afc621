// Derived values of the shared BGP types (bgp_types.hpp).
#include "bgp/bgp_types.hpp"

namespace xacct::bgp {

std::uint32_t PathAttributes::origin_as() const {
  for (auto it = as_path.rbegin(); it != as_path.rend(); ++it) {
    if (it->type == AsPathSegment::Type::kSequence && !it->asns.empty()) return it->asns.back();
  }
  return 0;
}

std::uint32_t PathAttributes::first_as() const {
  for (const AsPathSegment& s : as_path) {
    if (s.type == AsPathSegment::Type::kSequence && !s.asns.empty()) return s.asns.front();
  }
  return 0;
}

}  // namespace xacct::bgp
