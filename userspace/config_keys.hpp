// The one declarative table of configuration keys. Each row (name, type,
// scope, default, help, xacct-only flag, allowed values, range, which plugin
// types and daemon roles it applies to) drives parsing and validation
// (config_loader), the canonical printout and the key reference
// (config_print). A new key is a new row plus the line in config_loader.cpp
// that copies it into the typed struct (a unit test checks no row is left
// unread).
//
// Intentional difference from pmacct: an unknown key, a bad value or a key
// that does not apply is an error, and the daemon refuses to start, where
// pmacct logs "Unknown key ... Ignored." and runs with something else than
// what the operator wrote. pmacct keys that xacct does not implement yet are
// recognised and rejected with "not supported yet", not "unknown".
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "userspace/config.hpp"
#include "userspace/result.hpp"

namespace xacct::userspace {

enum class KeyType : std::uint8_t {
  kBool,           // true | false
  kUint,           // decimal, within [min, max]
  kString,         // any text
  kEnum,           // one of `choices`
  kEnumList,       // comma list of distinct `choices`
  kStringList,     // comma list of non-empty items
  kPrimitiveList,  // `aggregate`: comma list of primitive names
  kPluginList,     // `plugins`: type[name], ...
};

enum class KeyScope : std::uint8_t {
  kGlobal,      // G: core only; key[plugin] is an error
  kPlugin,      // P: global line applies to every plugin, key[plugin] to one
  kPluginOnly,  // N: must be scoped (pmacct's NO_GLOBAL keys)
};

enum RoleMask : std::uint8_t {
  kRoleProbe = 1 << 0,
  kRoleCollect = 1 << 1,
  kRoleAll = kRoleProbe | kRoleCollect,
};

struct KeyDef {
  std::string_view name;
  KeyType type;
  KeyScope scope;
  std::string_view default_value;  // as written in a file; "" = unset
  std::string_view help;
  bool xacct_only = false;
  std::string_view choices = {};              // kEnum/kEnumList: "a|b|c"
  std::string_view unsupported_choices = {};  // pmacct values not implemented yet
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint32_t>::max();
  std::string_view plugin_type = {};  // "" = any plugin, else e.g. "print"
  std::uint8_t roles = kRoleAll;
  // Extra check of a non-empty value after the type's own; returns the
  // canonical text or an error without location. nullptr = none.
  Result<std::string> (*check)(std::string_view value) = nullptr;
};

struct KeyAlias {
  std::string_view name;       // old spelling
  std::string_view canonical;  // current key
};

// Every implemented key, in documentation order.
std::span<const KeyDef> key_table();
// Old spellings accepted with a warning (interface -> pcap_interface).
std::span<const KeyAlias> key_aliases();

// Looks a normalized key up, following aliases; nullptr if not implemented.
// `alias_used` (optional) is set when the name was an old spelling.
const KeyDef* find_key(std::string_view name, bool* alias_used = nullptr);

// True for pmacct keys (and key families such as kafka_*) that xacct knows
// about but does not implement yet.
bool is_unsupported_pmacct_key(std::string_view name);

// Checks `raw` against the row and returns the canonical text of the value
// (booleans "true"/"false", lists "a, b", primitive lists in output order).
// The error text has no location; the caller prefixes "file:line: ".
Result<std::string> canonicalize_value(const KeyDef& key, std::string_view raw);

bool key_applies_to_role(const KeyDef& key, Role role);

std::string_view to_string(KeyType type);
std::string_view to_string(KeyScope scope);

}  // namespace xacct::userspace
