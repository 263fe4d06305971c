// The core's receipt endpoint: one address where every provider's callbacks arrive (SES events,
// SMS delivery receipts), routed by path to the channel that reads them. A provider's stub is
// told only the URL of its path.
#pragma once

#include "notify/transport/server.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace notify::delivery {

class ReceiptRouter {
 public:
  /// Routes POSTs (and anything else) at exactly `path` to `handler`. A path registered twice is a
  /// programming error.
  void add(std::string path, transport::ServerHandler handler);
  /// The registered paths, sorted.
  std::vector<std::string> paths() const;
  /// A ServerHandler for the router; unknown paths get a 404 that lists the known ones. The
  /// router must outlive the handler.
  transport::ServerHandler handler() const;

 private:
  std::map<std::string, transport::ServerHandler, std::less<>> routes_;
};

}  // namespace notify::delivery
