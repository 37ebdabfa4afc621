#!/bin/bash
# Benchmark: xacctd vs pmacctd on the same blast of traffic through a veth
# pair (see tools/bench/README.md). Runs from a clean clone, as root:
#   tools/bench/probe_vs_pmacctd.sh [--xacctd PATH] [bench.py options]
# Installs missing Debian packages (trafgen from netsniff-ng, pmacct),
# builds xacctd into $BUILD (default build/) unless --xacctd is given, then
# runs tools/bench/bench.py, which prints the table.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}

if [ "$(id -u)" -ne 0 ]; then
  echo "probe_vs_pmacctd: needs root (network namespaces, eBPF, packet sockets)" >&2
  exit 1
fi

have_xacctd=0
for arg in "$@"; do
  case "$arg" in --xacctd|--xacctd=*) have_xacctd=1 ;; esac
done

"$ROOT/tools/install-deps.sh"

args=()
if [ "$have_xacctd" -eq 0 ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
  cmake --build "$BUILD" --target xacctd -j "$(nproc)"
  args+=(--xacctd "$BUILD/tools/xacctd")
fi

exec /usr/bin/python3 "$ROOT/tools/bench/bench.py" "${args[@]}" "$@"
