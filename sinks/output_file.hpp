// Output files for sinks that write files (print now; dump files later).
// A replaced file is written to a temporary name in the same directory,
// fsync()ed and renamed over the target, so a reader sees the old content
// or the new content, never half of it, and a crash after the rename loses
// nothing flushed. Appends go straight to the file with O_APPEND (a reader
// can see a purge that is still being written; that is what append means).
// Parent directories are created as needed (pmacct's mkdir -p).
#pragma once

#include <string>
#include <string_view>

#include "userspace/result.hpp"

namespace xacct::sinks {

// mkdir -p of the directory that will hold `path`.
userspace::Status make_parent_dirs(const std::string& path);

// Replaces the content of `path` atomically with `content`.
userspace::Status write_file_atomic(const std::string& path, std::string_view content);

// Appends `content` to `path` (created if missing) and fsync()s it.
userspace::Status append_file(const std::string& path, std::string_view content);

// A file written in pieces with the semantics of write_file_atomic()
// (append false: a temporary file renamed over `path` by commit()) or of
// append_file() (append true). Without commit() the temporary file is
// removed and an appended file keeps what was written.
class OutputWriter {
 public:
  OutputWriter() = default;
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;
  ~OutputWriter();
  userspace::Status open(const std::string& path, bool append);
  userspace::Status write(std::string_view content);
  // fsync, close and (replace) rename.
  userspace::Status commit();

 private:
  std::string path_;
  std::string tmp_;  // empty when appending
  int fd_ = -1;
};

// True if `path` does not exist or is empty.
bool file_missing_or_empty(const std::string& path);

// print_latest_file: makes `link` a symlink to `target` (mkdir -p of its
// directory), atomically (a new link renamed over the old one). As pmacct,
// an existing link is replaced only if `target` is at least as new
// (mtime) as the file it points to, or that file is gone. A relative
// target is made absolute, so the link works from any directory (pmacct
// links the name as written). Refuses to replace anything but a symlink.
userspace::Status update_latest_link(const std::string& link, const std::string& target);

// Writes to stdout in one piece, serialized with every other caller, so
// purges of plugins sharing stdout do not interleave mid-line.
userspace::Status write_stdout(std::string_view content);

}  // namespace xacct::sinks
