// writer_id_string: the "writer_id" of markers (and, later, of every Kafka
// and AMQP record). Default "$proc_name/$writer_pid" gives pmacct's
// "<plugin name>/<pid>". Variables (names case-insensitive, as pmacct):
//   $proc_name     the plugin name
//   $writer_pid    the pid of the writing process
//   $pmacct_build  the xacct version ("xacct 0.1.0")
// pmacct applies the key to Kafka/AMQP only; xacct also to print markers
// (same text with the default).
#pragma once

#include <string>
#include <string_view>

#include "userspace/result.hpp"

namespace xacct::userspace {

inline constexpr std::string_view kDefaultWriterId = "$proc_name/$writer_pid";

// Checks that every $variable is known (errors have no location).
Status check_writer_id(std::string_view tmpl);
std::string expand_writer_id(std::string_view tmpl, std::string_view proc_name, long pid);
// "xacct <version>"
std::string_view build_string();

}  // namespace xacct::userspace
