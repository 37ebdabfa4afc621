#!/bin/bash
# Benchmark: `xacctd collect` vs nfacctd/sfacctd (pmacct 1.7.7) taking IPFIX
# (and sFlow) datagrams over loopback at rising rates (see
# tools/bench/collect_bench.py and tools/bench/README.md). From a clean clone:
#   tools/bench/collect_vs_nfacctd.sh [--xacctd PATH] [collect_bench.py options]
#   e.g. --proto both --seconds 5 --sources 4 --threads 2
#   --collector-cpus 1 --sender-cpus 0: collector and sender pinned (taskset)
#   to a CPU each, for steadier CPU-per-record figures on a shared machine
# Installs missing Debian packages (pmacct), builds xacctd and the sender
# (tools/bench/collect_sender.cpp) into $BUILD (default build/), then runs
# the search for nfacctd as shipped, nfacctd tuned (plugin_buffer_size
# 1048576, plugin_pipe_size 104857600), xacctd with one decode thread and
# xacctd with collector_threads (--threads, default 2). Needs no root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}

xacctd=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --xacctd) xacctd=$2; shift 2 ;;
    --xacctd=*) xacctd=${1#*=}; shift ;;
    *) rest+=("$1"); shift ;;
  esac
done

"$ROOT/tools/install-deps.sh"

cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
if [ -z "$xacctd" ]; then
  cmake --build "$BUILD" --target xacctd xacct_collect_sender -j "$JOBS"
  xacctd=$BUILD/tools/xacctd
else
  cmake --build "$BUILD" --target xacct_collect_sender -j "$JOBS"
fi

exec /usr/bin/python3 "$ROOT/tools/bench/collect_bench.py" --xacctd "$xacctd" \
  --sender "$BUILD/collector/xacct_collect_sender" ${rest[@]+"${rest[@]}"}
