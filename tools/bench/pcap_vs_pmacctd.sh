#!/bin/bash
# Benchmark: xacctd vs pmacctd reading the same pcap savefile (see
# tools/bench/README.md). From a clean clone:
#   tools/bench/pcap_vs_pmacctd.sh [--xacctd PATH] [--pcap PATH] [pcap_bench.py options]
# Installs missing Debian packages (pmacct), builds xacctd into $BUILD
# (default build/) unless --xacctd is given, writes the deterministic pcap
# with tools/bench/gen_pcap.py unless --pcap names one (default
# $WORK/bench.pcap, WORK=/tmp/xacct-bench, regenerated only when missing or
# when GEN_ARGS changes), then runs tools/bench/pcap_bench.py, which runs
# pmacctd as shipped, pmacctd tuned and xacctd, each with every CPU free and
# pinned to one CPU (taskset), and prints one table: packets/s, CPU, peak
# RSS, exactness and loss, and the ratios. Needs no root: nothing but files.
# Everything it uses is in the checkout (tools/, vmtests/pcapgen.py).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
WORK=${WORK:-/tmp/xacct-bench}
GEN_ARGS=${GEN_ARGS:-"--packets 2000000 --flows 200000 --seed 1"}

xacctd=""
pcap=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --xacctd) xacctd=$2; shift 2 ;;
    --xacctd=*) xacctd=${1#*=}; shift ;;
    --pcap) pcap=$2; shift 2 ;;
    --pcap=*) pcap=${1#*=}; shift ;;
    *) rest+=("$1"); shift ;;
  esac
done

"$ROOT/tools/install-deps.sh"

if [ -z "$xacctd" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
  cmake --build "$BUILD" --target xacctd -j "$(nproc)"
  xacctd=$BUILD/tools/xacctd
fi

if [ -z "$pcap" ]; then
  mkdir -p "$WORK"
  pcap=$WORK/bench.pcap
  # shellcheck disable=SC2086
  if [ ! -f "$pcap.json" ] || [ "$(cat "$pcap.args" 2>/dev/null)" != "$GEN_ARGS" ]; then
    /usr/bin/python3 "$ROOT/tools/bench/gen_pcap.py" --out "$pcap" $GEN_ARGS
    echo "$GEN_ARGS" > "$pcap.args"
  fi
fi

exec /usr/bin/python3 "$ROOT/tools/bench/pcap_bench.py" --pcap "$pcap" --xacctd "$xacctd" ${rest[@]+"${rest[@]}"}
