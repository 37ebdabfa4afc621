// xacctd: the daemon. main() only turns the command line into config lines,
// loads the configuration and hands it to the role (tools/*_role.cpp).
//
//   xacctd probe [-f FILE] [-i IFACE]... [-c AGGREGATE] [-O OUTPUT] ...
//   xacctd collect [-f FILE] [-c AGGREGATE] [-O OUTPUT] ...   (nfacctd/sfacctd)
//
// Command-line switches are pmacct's (pmacctd -i, -c, -P, -O, -o, -r, -d) and
// become config lines applied after the file, so they override it.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tools/daemon_signals.hpp"
#include "tools/capture_role.hpp"
#include "tools/collect_role.hpp"
#include "tools/probe_role.hpp"
#include "userspace/config_loader.hpp"
#include "userspace/config_print.hpp"
#include "userspace/logging.hpp"

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xacct;
  CLI::App app{"xacctd: network accounting probe and collector (pmacct compatible, eBPF datapath)"};
  app.set_version_flag("-V,--version", "xacctd 0.1.0");

  std::string role_name;
  std::string config_file;
  std::vector<std::string> interfaces;
  std::string aggregate, plugins, print_output, print_file, refresh;
  std::string savefile, savefile_delay, savefile_replay, snaplen, networks_file, ports_file, separator;
  std::vector<std::string> filter_words;
  bool debug = false;
  bool savefile_wait = false, no_promisc = false, renormalize = false, num_protos = false;
  bool markers = false, append = false;
  bool print_config = false;
  bool key_reference = false;
  app.add_option("role", role_name, "probe (pmacctd/uacctd with the eBPF datapath), collect (nfacctd/sfacctd); later: bgp, bmp")
      ->required();
  app.add_option("-f,--config", config_file, "configuration file (pmacct syntax); default: embedded");
  app.add_option("-i,--interface", interfaces, "interface to count on (repeatable)");
  app.add_option("-c,--aggregate", aggregate, "aggregate: primitives, comma separated");
  app.add_option("-P,--plugins", plugins, "plugins, e.g. print[a],print[b]");
  app.add_option("-O,--print-output", print_output, "print_output: formatted, csv or json");
  app.add_option("-o,--print-output-file", print_file, "print_output_file");
  app.add_option("-r,--refresh", refresh, "print_refresh_time in seconds");
  app.add_flag("-d,--debug", debug, "debug logging");
  app.add_option("-I,--pcap-savefile", savefile, "pcap_savefile: read packets from this file");
  app.add_flag("-W,--pcap-savefile-wait", savefile_wait, "pcap_savefile_wait: keep running at the end of the file");
  app.add_option("-Z,--pcap-savefile-delay", savefile_delay, "pcap_savefile_delay: seconds to wait before reading");
  app.add_option("-Y,--pcap-savefile-replay", savefile_replay, "pcap_savefile_replay: times to read the file");
  app.add_option("-L,--snaplen", snaplen, "snaplen");
  app.add_flag("-N,--no-promisc", no_promisc, "promisc: false");
  app.add_flag("-R,--renormalize", renormalize, "pmacctd_renormalize: true");
  app.add_option("-n,--networks-file", networks_file, "networks_file");
  app.add_option("-t,--ports-file", ports_file, "ports_file");
  app.add_flag("-u,--num-protos", num_protos, "print_num_protos: true");
  app.add_flag("-M,--print-markers", markers, "print_markers: true");
  app.add_flag("-A,--print-append", append, "print_output_file_append: true");
  app.add_option("-E,--print-separator", separator, "print_output_separator");
  app.add_option("filter", filter_words, "pcap_filter, as trailing words (pmacctd style)");
  app.add_flag("--print-config", print_config, "print the effective configuration and exit");
  app.add_flag("--key-reference", key_reference, "print the configuration key reference (Markdown) and exit");
  CLI11_PARSE(app, argc, argv);
  if (key_reference) {
    std::fputs(userspace::key_reference_markdown().c_str(), stdout);
    return 0;
  }

  // Signals are taken by the main thread only: block them before any
  // component starts a thread.
  tools::DaemonSignals::block();

  userspace::ConfigOptions options;
  if (role_name == "probe") {
    options.role = userspace::Role::kProbe;
  } else if (role_name == "collect") {
    options.role = userspace::Role::kCollect;
  } else {
    std::fprintf(stderr, "xacctd: role '%s' is not available yet (available: probe, collect)\n", role_name.c_str());
    return 2;
  }
  options.config_file = config_file;
  if (!interfaces.empty()) options.overrides.push_back("pcap_interface: " + join(interfaces));
  if (!aggregate.empty()) options.overrides.push_back("aggregate: " + aggregate);
  if (!plugins.empty()) options.overrides.push_back("plugins: " + plugins);
  if (!print_output.empty()) options.overrides.push_back("print_output: " + print_output);
  if (!print_file.empty()) options.overrides.push_back("print_output_file: " + print_file);
  if (!refresh.empty()) options.overrides.push_back("print_refresh_time: " + refresh);
  if (debug) options.overrides.push_back("debug: true");
  if (!savefile.empty()) options.overrides.push_back("pcap_savefile: " + savefile);
  if (savefile_wait) options.overrides.push_back("pcap_savefile_wait: true");
  if (!savefile_delay.empty()) options.overrides.push_back("pcap_savefile_delay: " + savefile_delay);
  if (!savefile_replay.empty()) options.overrides.push_back("pcap_savefile_replay: " + savefile_replay);
  if (!snaplen.empty()) options.overrides.push_back("snaplen: " + snaplen);
  if (no_promisc) options.overrides.push_back("promisc: false");
  if (renormalize) {
    options.overrides.push_back(options.role == userspace::Role::kCollect ? "nfacctd_renormalize: true"
                                                                           : "pmacctd_renormalize: true");
  }
  if (!networks_file.empty()) options.overrides.push_back("networks_file: " + networks_file);
  if (!ports_file.empty()) options.overrides.push_back("ports_file: " + ports_file);
  if (num_protos) options.overrides.push_back("print_num_protos: true");
  if (markers) options.overrides.push_back("print_markers: true");
  if (append) options.overrides.push_back("print_output_file_append: true");
  if (!separator.empty()) options.overrides.push_back("print_output_separator: " + separator);
  if (!filter_words.empty()) {
    std::string filter;
    for (const auto& w : filter_words) filter += (filter.empty() ? "" : " ") + w;
    options.overrides.push_back("pcap_filter: " + filter);
  }

  if (print_config) {
    auto text = userspace::load_canonical_config_text(options);
    if (!text) {
      std::fprintf(stderr, "xacctd: configuration error:\n%s\n", text.error().message.c_str());
      return 1;
    }
    std::fputs(text.value().c_str(), stdout);
    return 0;
  }

  auto config = userspace::load_daemon_config(options);
  if (!config) {
    std::fprintf(stderr, "xacctd: configuration error:\n%s\n", config.error().message.c_str());
    return 1;
  }
  if (config.value().core.debug) spdlog::set_level(spdlog::level::debug);
  userspace::Stats stats;
  if (config.value().role == userspace::Role::kCollect) return tools::run_collect(config.value(), stats);
  if (tools::capture_selected(config.value())) return tools::run_capture(config.value(), stats);
  return tools::run_probe(config.value(), stats);
}
