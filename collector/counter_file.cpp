// See counter_file.hpp.
#include "collector/counter_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "collector/counter_json.hpp"
#include "userspace/logging.hpp"

namespace xacct::collector {
namespace {

constexpr std::string_view kPeerSrcIp = "$peer_src_ip";

// mkdir -p of the directory holding `path`.
bool make_parent_dirs(const std::string& path) {
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

}  // namespace

// An owned copy of a sample (the view points into the datagram).
struct CounterFileWriter::Sample {
  SflowCounterSampleView head;  // its records span is empty
  struct Record {
    std::uint32_t tag = 0;
    std::size_t offset = 0;
    std::size_t length = 0;
  };
  std::vector<Record> records;
  std::vector<std::uint8_t> bytes;
};

struct CounterFileWriter::File {
  std::string name;
  int fd = -1;
  bool failed = false;  // open failed since the last reopen(): logged once
};

struct CounterFileWriter::Counters {
  Counters(userspace::Stats& s, const std::string& p)
      : samples(s.counter(p + "samples")),
        samples_dropped(s.counter(p + "samples_dropped")),
        lines_written(s.counter(p + "lines_written")),
        lines_dropped(s.counter(p + "lines_dropped")),
        files_opened(s.counter(p + "files_opened")),
        open_errors(s.counter(p + "open_errors")),
        write_errors(s.counter(p + "write_errors")) {}
  userspace::Counter& samples;
  userspace::Counter& samples_dropped;
  userspace::Counter& lines_written;
  userspace::Counter& lines_dropped;
  userspace::Counter& files_opened;
  userspace::Counter& open_errors;
  userspace::Counter& write_errors;
};

CounterFileWriter::CounterFileWriter(CounterFileOptions options, userspace::Stats& stats)
    : options_(std::move(options)), counters_(std::make_unique<Counters>(stats, "collector.counter_file.")) {}

CounterFileWriter::~CounterFileWriter() {
  stop();
  close_files();
}

userspace::Result<std::unique_ptr<CounterFileWriter>> CounterFileWriter::create(
    const CounterFileOptions& options, userspace::Stats& stats) {
  if (options.file.empty()) return userspace::make_error("sfacctd_counter_file: empty file name");
  // sfacctd knows $peer_src_ip only; anything else that looks like a
  // variable is most likely a mistake (sfacctd would write it literally).
  std::string rest = options.file;
  for (std::size_t p = rest.find(kPeerSrcIp); p != std::string::npos; p = rest.find(kPeerSrcIp)) {
    rest.erase(p, kPeerSrcIp.size());
  }
  const std::size_t dollar = rest.find('$');
  if (dollar != std::string::npos && dollar + 1 < rest.size() &&
      (std::isalpha(static_cast<unsigned char>(rest[dollar + 1])) != 0 || rest[dollar + 1] == '_')) {
    return userspace::make_error("sfacctd_counter_file '" + options.file +
                                 "': unknown variable (only $peer_src_ip is supported)");
  }
  return std::unique_ptr<CounterFileWriter>(new CounterFileWriter(options, stats));
}

std::string CounterFileWriter::file_name(const userspace::IpAddress& agent) const {
  std::string ip = counter_agent_text(agent);
  for (char& c : ip) {
    if (c == '.' || c == ':') c = '_';
  }
  std::string name = options_.file;
  for (std::size_t p = name.find(kPeerSrcIp); p != std::string::npos;
       p = name.find(kPeerSrcIp, p + ip.size())) {
    name.replace(p, kPeerSrcIp.size(), ip);
  }
  return name;
}

void CounterFileWriter::submit(const SflowCounterSampleView& sample) {
  Sample s;
  s.head = sample;
  s.head.records = {};
  std::size_t total = 0;
  for (const auto& r : sample.records) total += r.data.size();
  s.bytes.reserve(total);
  s.records.reserve(sample.records.size());
  for (const auto& r : sample.records) {
    s.records.push_back({r.tag, s.bytes.size(), r.data.size()});
    s.bytes.insert(s.bytes.end(), r.data.begin(), r.data.end());
  }
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.queue_samples || queued_bytes_ + s.bytes.size() > options_.queue_bytes) {
      counters_->samples_dropped.add();
      return;
    }
    queued_bytes_ += s.bytes.size();
    queue_.push_back(std::move(s));
    ++submitted_;
  }
  counters_->samples.add();
  cv_.notify_one();
}

void CounterFileWriter::reopen() {
  {
    std::lock_guard lock(mu_);
    reopen_ = true;
  }
  cv_.notify_one();
}

void CounterFileWriter::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void CounterFileWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void CounterFileWriter::flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = submitted_;
  idle_cv_.wait(lock, [&] { return done_ >= target || !thread_.joinable(); });
}

void CounterFileWriter::run() {
  for (;;) {
    std::deque<Sample> batch;
    bool reopen = false, stopping = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || reopen_ || !queue_.empty(); });
      batch.swap(queue_);
      queued_bytes_ = 0;
      reopen = std::exchange(reopen_, false);
      stopping = stop_;
    }
    if (reopen) close_files();
    const std::size_t n = batch.size();
    if (n != 0) write_batch(batch);
    {
      std::lock_guard lock(mu_);
      done_ += n;
    }
    idle_cv_.notify_all();
    if (stopping) {
      std::lock_guard lock(mu_);
      if (queue_.empty()) break;
    }
  }
  close_files();
}

CounterFileWriter::File* CounterFileWriter::file_for(const std::string& name) {
  for (auto& f : files_) {
    if (f->name == name) return f.get();
  }
  if (files_.size() >= options_.max_files) return nullptr;
  files_.push_back(std::make_unique<File>());
  files_.back()->name = name;
  return files_.back().get();
}

void CounterFileWriter::close_files() {
  for (auto& f : files_) {
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    f->failed = false;
  }
}

void CounterFileWriter::write_batch(std::deque<Sample>& batch) {
  auto log = userspace::get_logger("collector.counters");
  // Lines per file, in queue order; seq numbers follow the queue order
  // across files, as sfacctd's single sequence does.
  std::map<std::string, std::pair<std::string, std::size_t>> out;  // file -> (text, lines)
  std::vector<SflowCounterRecordView> views;
  for (Sample& s : batch) {
    views.clear();
    for (const auto& r : s.records) {
      views.push_back({r.tag, std::span<const std::uint8_t>(s.bytes.data() + r.offset, r.length)});
    }
    SflowCounterSampleView v = s.head;
    v.records = views;
    const std::string agent = counter_agent_text(v.agent);
    const std::string stamp = userspace::format_timestamp(v.arrival_ns, options_.timestamps);
    auto& [text, lines] = out[file_name(v.agent)];
    if (agents_.size() < options_.max_agents) {
      if (agents_.insert(agent + "/" + std::to_string(v.sub_agent_id)).second) {
        append_log_init_line(stamp, agent, seq_++, text);
        ++lines;
      }
    }
    const std::size_t n = append_counter_lines(v, stamp, agent, seq_, text);
    seq_ += n;
    lines += n;
  }
  for (auto& [name, entry] : out) {
    const auto& [text, lines] = entry;
    if (lines == 0) continue;
    File* f = file_for(name);
    if (f == nullptr) {
      counters_->lines_dropped.add(lines);
      continue;
    }
    if (f->fd < 0) {
      if (f->failed) {
        counters_->lines_dropped.add(lines);
        continue;
      }
      struct stat st {};
      int fd = -1;
      if (!make_parent_dirs(name)) {
        // fd stays -1; errno is mkdir's
      } else if (stat(name.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
        fd = open(name.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      } else {
        fd = open(name.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      }
      if (fd < 0) {
        const int e = errno;
        f->failed = true;
        counters_->open_errors.add();
        counters_->lines_dropped.add(lines);
        log->error("sfacctd_counter_file {}: {} (its lines are dropped until SIGHUP/SIGUSR2)", name,
                   std::strerror(e));
        continue;
      }
      f->fd = fd;
      counters_->files_opened.add();
    }
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t w = write(f->fd, text.data() + done, text.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    if (done < text.size()) {
      // Lines not (completely) written: a full disk, or a named pipe nobody
      // reads. A partial last line is completed with a newline so the next
      // batch starts on a line of its own.
      std::size_t whole = 0;
      for (std::size_t i = 0; i < done; ++i) whole += text[i] == '\n' ? 1 : 0;
      if (done > 0 && text[done - 1] != '\n') (void)!write(f->fd, "\n", 1);
      counters_->write_errors.add();
      counters_->lines_written.add(whole);
      counters_->lines_dropped.add(lines - whole);
      continue;
    }
    counters_->lines_written.add(lines);
  }
}

userspace::Result<std::unique_ptr<CounterFileWriter>> make_counter_writer(const CollectorConfig& cc,
                                                                          userspace::Stats& stats) {
  if (cc.counter_file.empty()) return std::unique_ptr<CounterFileWriter>();
  CounterFileOptions o;
  o.file = cc.counter_file;
  o.timestamps.utc = cc.counter_ts_utc;
  o.timestamps.rfc3339 = cc.counter_ts_rfc3339;
  o.timestamps.rfc9557 = cc.counter_ts_rfc9557;
  o.timestamps.since_epoch = cc.counter_ts_since_epoch;
  return CounterFileWriter::create(o, stats);
}

}  // namespace xacct::collector
