// JSON text helpers shared by everything that writes JSON by hand (record
// lines, markers, primitive values): pmacct's JSON is jansson's default
// layout ("key": value, items separated by ", "), which a generic JSON
// library would not reproduce byte for byte.
#pragma once

#include <string>
#include <string_view>

namespace xacct::userspace {

// Appends `s` as a JSON string literal (quotes included), escaping quotes,
// backslashes and control characters.
void append_json_string(std::string_view s, std::string& out);

}  // namespace xacct::userspace
