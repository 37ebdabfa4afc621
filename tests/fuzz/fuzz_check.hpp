// fuzz_check.hpp: XACCT_FUZZ_CHECK(cond), the assertion of the fuzz targets.
// A failed check prints the condition and aborts, which libFuzzer reports as
// a crash and saves the input as an artifact. Unlike assert() it does not
// vanish under NDEBUG (the fuzz build is RelWithDebInfo).
#pragma once

#include <cstdio>
#include <cstdlib>

#define XACCT_FUZZ_CHECK(cond)                                                              \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)
