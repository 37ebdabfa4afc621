#!/bin/bash
# Installs the Debian 12 packages xacct needs to build, test and benchmark.
# Idempotent and quiet: it calls apt-get only when a package is missing.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config clang llvm
  libclang-rt-14-dev  # libFuzzer and clang's sanitizer runtimes (make test: build-fuzz/)
  libbpf-dev bpftool libelf-dev zlib1g-dev
  libpcap-dev libnetfilter-log-dev libmnl-dev
  librdkafka-dev libzmq3-dev cppzmq-dev libboost-dev libboost-system-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
)
# Real peers and tools used by vmtests and tools/bench.
TEST_PKGS=(
  iproute2 iputils-ping ethtool iperf3 tcpdump python3 pmacct netsniff-ng procps nftables
  softflowd fprobe tshark tcpreplay  # collector interop (vmtests/test_collect_interop.py)
  time  # /usr/bin/time -v: CPU and peak RSS in tools/bench/pcap_bench.py
  gobgpd exabgp  # BGP/BMP peers for the collector's bgp/bmp sources (vmtests/test_collect_bgp*.py)
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
