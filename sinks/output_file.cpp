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

Status write_file_atomic(const std::string& path, std::string_view content) {
  if (auto st = make_parent_dirs(path); !st) return st;
  static std::atomic<unsigned> sequence{0};
  const std::string dir = parent_dir(path);
  const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = dir + "/." + base + "." + std::to_string(::getpid()) + "." +
          std::to_string(sequence.fetch_add(1)) + ".tmp";
    // 0666 and the umask, as a file fopen()ed by pmacct would get.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) return errno_error("create", tmp);
  }
  if (fd < 0) return errno_error("create", tmp);
  Status st = write_all(fd, content, tmp);
  if (st && ::fsync(fd) != 0) st = errno_error("fsync", tmp);
  if (::close(fd) != 0 && st) st = errno_error("close", tmp);
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = errno_error("rename to", path);
  if (!st) ::unlink(tmp.c_str());
  return st;
}

Status append_file(const std::string& path, std::string_view content) {
  if (auto st = make_parent_dirs(path); !st) return st;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return errno_error("open", path);
  Status st = write_all(fd, content, path);
  if (st && ::fsync(fd) != 0) st = errno_error("fsync", path);
  if (::close(fd) != 0 && st) st = errno_error("close", path);
  return st;
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
