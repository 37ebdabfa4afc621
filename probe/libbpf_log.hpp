// Routes libbpf's messages (including verifier logs) into the spdlog logger
// "probe.libbpf", so they follow the daemon's log level and format.
#pragma once

namespace xacct::probe {

// Installs the print callback; idempotent.
void route_libbpf_logs();

}  // namespace xacct::probe
