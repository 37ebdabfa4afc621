// Which file each record of a purge goes to, when print_output_file is a
// dynamic name: every record is named with its own values (time bin start,
// peer_src_ip, tag, ...) and records that name the same file are written
// together. Groups come in order of their base time (oldest bin first),
// then of first appearance, so the newest bin's file is written last and
// ends up as print_latest_file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "userspace/dynamic_name.hpp"
#include "userspace/flow_record.hpp"

namespace xacct::sinks {

struct FileGroup {
  std::string path;
  std::int64_t base_s = 0;  // the time the name was expanded with
  std::vector<const userspace::FlowRecord*> rows;
};

// `context` carries everything but the base time, which is each row's
// time bin start, else `purge_s`. No rows: one group (with no rows) if the
// name does not depend on records, else none.
std::vector<FileGroup> group_by_file(const userspace::DynamicName& name,
                                     std::span<const userspace::FlowRecord* const> rows,
                                     userspace::NameContext context, std::int64_t purge_s);

}  // namespace xacct::sinks
