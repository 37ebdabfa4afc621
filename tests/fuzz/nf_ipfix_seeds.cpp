// nf_ipfix_seeds.cpp: writes the seed corpus of fuzz_nf_ipfix into argv[1] (see nf_seeds.hpp).
#include "tests/fuzz/nf_seeds.hpp"

int main(int argc, char** argv) { return xacct::tests::fuzz::write_nf_seeds(argc, argv, 10); }
