// See interface_set.hpp.
#include "probe/interface_set.hpp"

#include <net/if.h>

#include <utility>
#include <vector>

#include "probe/logger.hpp"

namespace xacct::probe {

InterfaceSet::InterfaceSet(InterfaceSetOptions options, const capture::CaptureConfig& capture, Probe* probe,
                           capture::LiveCapture& live, userspace::Stats& stats)
    : options_(std::move(options)),
      capture_(capture),
      probe_(probe),
      live_(live),
      reloads_(stats.counter("interfaces_map.reloads")),
      reload_errors_(stats.counter("interfaces_map.reload_errors")),
      lines_skipped_(stats.counter("interfaces_map.lines_skipped")),
      added_(stats.counter("interfaces_map.added")),
      removed_(stats.counter("interfaces_map.removed")),
      active_(stats.counter("interfaces_map.active")) {}

userspace::Status InterfaceSet::reload() {
  auto map = capture::load_interfaces_map(options_.map_path, options_.default_method, options_.max_entries,
                                          options_.max_row_len);
  if (!map) {
    reload_errors_.add();
    return map.error();
  }
  reloads_.add();
  apply(map.value());
  return userspace::Ok{};
}

userspace::Result<std::string> InterfaceSet::start(const capture::InterfaceLine& line) {
  if (line.method == capture::CountMethod::kPcap) {
    capture::LiveInterface li;
    li.name = line.ifname;
    li.direction = line.direction != userspace::Direction::kUnknown ? line.direction : capture_.direction;
    if (options_.ifindex_from_map) {
      li.ifindex = line.ifindex;
    } else {
      li.ifindex = capture::interface_ifindex(capture_, line.ifname);
      li.ifindex_from_link = capture_.ifindex_mode == capture::IfindexMode::kSys;
    }
    auto added = live_.add_interface(li);
    if (!added) return added.error();
    return "pcap " + added.value();
  }
  if (probe_ == nullptr || !probe_->loaded()) {
    return userspace::make_error("method " + std::string(capture::to_string(line.method)) +
                                 ": the eBPF datapath is not loaded (hint: method=pcap)");
  }
  const bool in = line.direction != userspace::Direction::kOut &&
                  (line.direction == userspace::Direction::kIn || options_.dir_in);
  const bool out = line.direction != userspace::Direction::kIn &&
                   (line.direction == userspace::Direction::kOut || options_.dir_out);
  InterfaceHooks hooks;
  hooks.xdp_in = line.method == capture::CountMethod::kXdp && in;
  hooks.tc_in = in;  // with XDP: only what XDP could not mark
  hooks.tc_out = out;
  const std::uint32_t record_ifindex = options_.ifindex_from_map ? line.ifindex : 0;
  auto added = probe_->add_interface(line.ifname, hooks, record_ifindex);
  if (!added) return added.error();
  return std::string(capture::to_string(line.method)) + " " + added.value();
}

void InterfaceSet::stop(const Running& r) {
  userspace::Status st = r.line.method == capture::CountMethod::kPcap
                             ? live_.remove_interface(r.line.ifname)
                             : probe_->remove_interface(r.line.ifname);
  if (!st) log()->error("pcap_interfaces_map: stop {}: {}", r.line.ifname, st.error().message);
  removed_.add();
}

bool InterfaceSet::broken(const Running& r) const {
  if (if_nametoindex(r.line.ifname.c_str()) != r.ifindex) return true;  // gone, or created again
  return r.line.method == capture::CountMethod::kPcap && live_.failed(r.line.ifname);
}

void InterfaceSet::apply(const capture::InterfacesMap& map) {
  for (const std::string& e : map.errors) log()->error("pcap_interfaces_map {}", e);
  lines_skipped_.add(map.errors.size());

  auto listed = [&](const std::string& ifname) -> const capture::InterfaceLine* {
    for (const auto& l : map.lines) {
      if (l.ifname == ifname) return &l;
    }
    return nullptr;
  };
  // Stop first: an interface that changes method must not be counted by
  // both for a moment.
  std::vector<std::string> gone;
  for (const auto& [name, r] : running_) {
    const capture::InterfaceLine* l = listed(name);
    if (l == nullptr || !l->same_setup(r.line) || broken(r)) gone.push_back(name);
  }
  for (const std::string& name : gone) {
    const Running& r = running_.at(name);
    const capture::InterfaceLine* l = listed(name);
    const char* why = l == nullptr             ? "removed"
                      : !l->same_setup(r.line) ? "restarting (line changed)"
                                               : "restarting (broken)";
    log()->info("pcap_interfaces_map: {} {} ({})", why, name, r.desc);
    stop(r);
    running_.erase(name);
  }
  for (const capture::InterfaceLine& line : map.lines) {
    if (running_.count(line.ifname) != 0) continue;  // unchanged: left running
    auto started = start(line);
    if (!started) {
      lines_skipped_.add();
      log()->error("pcap_interfaces_map {}: {}: {}; line skipped", line.where, line.ifname,
                   started.error().message);
      continue;
    }
    log()->info("pcap_interfaces_map {}: counting {}", line.where, started.value());
    running_.emplace(line.ifname, Running{line, started.value(), if_nametoindex(line.ifname.c_str())});
    added_.add();
  }
  active_.set(running_.size());
}

std::string InterfaceSet::describe() const {
  std::string s;
  for (const auto& [name, r] : running_) s += (s.empty() ? "" : "; ") + r.desc;
  return s.empty() ? "no interface" : s;
}

}  // namespace xacct::probe
