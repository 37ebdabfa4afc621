// nf_v9_fuzz.cpp: libFuzzer target of the NetFlow/IPFIX decoder, every
// datagram forced to version 9 (see nf_fuzz.hpp, nf_fuzz_input.hpp).
#include "tests/fuzz/nf_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return xacct::tests::fuzz::run_nf_fuzz(data, size, 9);
}
