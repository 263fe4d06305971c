// Reading the broadcast test data (tests/data/broadcast-xml) from the source tree.
#pragma once

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace notify::broadcast::testing {

inline std::string data_path(const std::string& relative) {
  return std::string(NOTIFY_BROADCAST_DATA_DIR) + "/" + relative;
}

inline std::string read_data(const std::string& relative) {
  std::ifstream in(data_path(relative), std::ios::binary);
  if (!in) throw std::runtime_error(data_path(relative) + ": cannot be read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace notify::broadcast::testing
