// Fuzz target: any bytes as one request at the stubs' edge, through the host, fault engine and
// every registered stub (SES v1/v2 and /ses, Firetext, MMG, Lambda and its proxy functions, the
// CBCs, SQS in both of its protocols), then the clock runs out their callbacks and late answers.
// Input: a request line, header lines, a blank line, the body.
#include "edge_world.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  notify::fuzz::EdgeWorld world;
  (void)world.handle({reinterpret_cast<const char*>(data), size});
  return 0;
}
