// Output driven by the key table: the canonical printout of a resolved
// configuration (`xacctd --print-config`: every key with its effective value,
// per plugin for plugin keys; parsing it back gives the same configuration)
// and the Markdown key and primitive reference for docs/.
#pragma once

#include <string>

#include "userspace/config_loader.hpp"

namespace xacct::userspace {

std::string canonical_config_text(const ResolvedConfig& resolved);
// read_config_lines + resolve_config + canonical_config_text, for
// `xacctd ROLE [-f FILE] --print-config`.
Result<std::string> load_canonical_config_text(const ConfigOptions& options);

std::string key_reference_markdown();

}  // namespace xacct::userspace
