// The configuration file of `notify-sim serve`: stub settings, fault rules loaded at start and
// journal limits.
#pragma once

#include "notify/stubs/faults.hpp"
#include "notify/stubs/journal.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace notify::cli {

struct ServeConfig {
  nlohmann::json stubs = nlohmann::json::object();  // {"<service>": {...}} per stub
  std::vector<stubs::FaultRule> faults;
  stubs::JournalOptions journal;
};

/// Throws scenarios::ScenarioError naming the file and the field.
ServeConfig load_serve_config(const std::string& path);
ServeConfig parse_serve_config(const nlohmann::json& j, const std::string& file);

}  // namespace notify::cli
