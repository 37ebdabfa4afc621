// See output_file.hpp.
#include "sinks/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace xacct::sinks {
namespace {

using userspace::make_error;
using userspace::Ok;
using userspace::Status;

Status errno_error(const std::string& what, const std::string& path) {
  return make_error(what + " " + path + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", path);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

std::string parent_dir(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Status make_parent_dirs(const std::string& path) {
  const std::string dir = parent_dir(path);
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) return errno_error("mkdir", prefix);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return errno_error("stat", dir);
  if (!S_ISDIR(st.st_mode)) return make_error(dir + " is not a directory");
  return Ok{};
}

OutputWriter::~OutputWriter() {
  if (fd_ < 0) return;
  ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Status OutputWriter::open(const std::string& path, bool append) {
  if (auto st = make_parent_dirs(path); !st) return st;
  path_ = path;
  if (append) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd_ < 0) return errno_error("open", path);
    return Ok{};
  }
  static std::atomic<unsigned> sequence{0};
  const std::string dir = parent_dir(path);
  const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    tmp_ = dir + "/." + base + "." + std::to_string(::getpid()) + "." + std::to_string(sequence.fetch_add(1)) +
           ".tmp";
    // 0666 and the umask, as a file fopen()ed by pmacct would get.
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) {
      Status st = errno_error("create", tmp_);
      tmp_.clear();
      return st;
    }
  }
  if (fd_ < 0) {
    Status st = errno_error("create", tmp_);
    tmp_.clear();
    return st;
  }
  return Ok{};
}

Status OutputWriter::write(std::string_view content) {
  return write_all(fd_, content, tmp_.empty() ? path_ : tmp_);
}

Status OutputWriter::commit() {
  const std::string& name = tmp_.empty() ? path_ : tmp_;
  Status st = Ok{};
  if (::fsync(fd_) != 0) st = errno_error("fsync", name);
  if (::close(fd_) != 0 && st) st = errno_error("close", name);
  fd_ = -1;
  if (!tmp_.empty()) {
    if (st && ::rename(tmp_.c_str(), path_.c_str()) != 0) st = errno_error("rename to", path_);
    if (!st) ::unlink(tmp_.c_str());
    tmp_.clear();
  }
  return st;
}

Status write_file_atomic(const std::string& path, std::string_view content) {
  OutputWriter w;
  if (auto st = w.open(path, false); !st) return st;
  if (auto st = w.write(content); !st) return st;
  return w.commit();
}

Status append_file(const std::string& path, std::string_view content) {
  OutputWriter w;
  if (auto st = w.open(path, true); !st) return st;
  if (auto st = w.write(content); !st) return st;
  return w.commit();
}

bool file_missing_or_empty(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return true;
  return st.st_size == 0;
}

Status update_latest_link(const std::string& link, const std::string& target) {
  if (auto st = make_parent_dirs(link); !st) return st;
  std::string absolute = target;
  if (absolute.empty() || absolute[0] != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return errno_error("getcwd for", target);
    absolute = std::string(cwd) + "/" + target;
  }
  struct stat target_st {};
  if (::stat(absolute.c_str(), &target_st) != 0) return errno_error("stat", absolute);

  struct stat link_st {};
  if (::lstat(link.c_str(), &link_st) == 0) {
    if (!S_ISLNK(link_st.st_mode)) return make_error("print_latest_file " + link + " exists and is not a symlink");
    struct stat current {};
    // Keep the link if what it points to is newer than `target`.
    if (::stat(link.c_str(), &current) == 0 &&
        (current.st_mtim.tv_sec > target_st.st_mtim.tv_sec ||
         (current.st_mtim.tv_sec == target_st.st_mtim.tv_sec && current.st_mtim.tv_nsec > target_st.st_mtim.tv_nsec))) {
      return Ok{};
    }
  } else if (errno != ENOENT) {
    return errno_error("lstat", link);
  }
  static std::atomic<unsigned> sequence{0};
  const std::string tmp = link + "." + std::to_string(::getpid()) + "." + std::to_string(sequence.fetch_add(1)) + ".tmp";
  ::unlink(tmp.c_str());
  if (::symlink(absolute.c_str(), tmp.c_str()) != 0) return errno_error("symlink", tmp);
  if (::rename(tmp.c_str(), link.c_str()) != 0) {
    Status st = errno_error("rename to", link);
    ::unlink(tmp.c_str());
    return st;
  }
  return Ok{};
}

Status write_stdout(std::string_view content) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  return write_all(STDOUT_FILENO, content, "stdout");
}

}  // namespace xacct::sinks
