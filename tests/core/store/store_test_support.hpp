// What the SQLite store's tests share: a start time, a notification to insert, and a fresh
// directory per test.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace notify::store::test {

inline const runtime::TimePoint kT0 = runtime::VirtualClock::default_start();

inline Notification make_notification(std::string id, runtime::TimePoint at = kT0) {
  Notification n;
  n.id = std::move(id);
  n.type = "email";
  n.recipient = "someone@example.com";
  n.created_at = at;
  n.updated_at = at;
  return n;
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    auto base = std::filesystem::temp_directory_path();
    auto name = std::string("notify-store-test-") +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
                std::to_string(::getpid());
    path_ = base / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace notify::store::test
