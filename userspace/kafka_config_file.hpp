// pmacct's kafka_config_file format (all *_kafka_config_file keys): one
// librdkafka property per line, `scope, key, value` with scope `global`
// (rd_kafka_conf_set) or `topic` (rd_kafka_topic_conf_set); the value is
// the rest of the line and may itself contain commas. `#`/`!` comments and
// blank lines are skipped. Shared by every Kafka producer (tee pools now,
// the Kafka sink and BGP/BMP logs later).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "userspace/result.hpp"

namespace xacct::userspace {

struct KafkaProperty {
  bool topic = false;  // scope `topic`, else `global`
  std::string key;
  std::string value;
  int line = 0;
};

// Errors name `file` and the line: "k.conf:3: expected 'global|topic, key, value'".
Result<std::vector<KafkaProperty>> parse_kafka_config(std::string_view text, std::string_view file);

// Reads and parses the file; an unreadable file is an error naming it.
Result<std::vector<KafkaProperty>> load_kafka_config(const std::string& path);

}  // namespace xacct::userspace
