#include "serve_config.hpp"

#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/stubs/registry.hpp"

#include <fstream>

namespace notify::cli {

namespace {

ServeConfig read_config(const nlohmann::json& j, const std::string& file) {
  ServeConfig c;
  stubs::Fields f(j, "", file);
  if (const auto* block = f.object("stubs")) {
    // Checked now, so a typo fails at start-up rather than at the first request.
    stubs::registry().validate_configs(*block, "stubs", file);
    c.stubs = *block;
  }
  if (const auto* rules = f.get("faults")) {
    auto parsed = stubs::parse_fault_rules(*rules, "faults", stubs::registry().vocabulary());
    if (!parsed) throw scenarios::ScenarioError(file + ": " + parsed.error().to_string());
    c.faults = std::move(*parsed);
  }
  if (const auto* journal = f.object("journal")) {
    stubs::Fields jf(*journal, "journal", file);
    if (auto v = jf.integer("capacity", 1, stubs::JournalOptions::kCapacityLimit))
      c.journal.capacity = static_cast<std::size_t>(*v);
    if (auto v = jf.integer("body_bytes_max", 1, stubs::JournalOptions::kBodyBytesLimit))
      c.journal.body_bytes_max = static_cast<std::size_t>(*v);
    jf.no_others();
  }
  f.no_others();
  return c;
}

}  // namespace

ServeConfig parse_serve_config(const nlohmann::json& j, const std::string& file) {
  try {
    return read_config(j, file);
  } catch (const stubs::ConfigError& e) {
    throw scenarios::ScenarioError(e.what());
  }
}

ServeConfig load_serve_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw scenarios::ScenarioError(path + ": cannot be read (does the file exist?)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw scenarios::ScenarioError(path + ": not valid JSON: " + e.what());
  }
  return parse_serve_config(j, path);
}

}  // namespace notify::cli
