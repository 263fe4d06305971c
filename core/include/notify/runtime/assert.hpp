// Assertions for programmer errors. They stay on in release builds: a broken
// invariant in a test harness must stop the run, not corrupt the journal it produces.
#pragma once

#include <cstdio>
#include <cstdlib>

#define NOTIFY_ASSERT(cond)                                                             \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
