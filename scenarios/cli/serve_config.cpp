#include "serve_config.hpp"

#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/ses.hpp"

#include <fstream>

namespace notify::cli {

ServeConfig parse_serve_config(const nlohmann::json& j, const std::string& file) {
  using scenarios::ScenarioError;
  if (!j.is_object()) throw ScenarioError(file + ": expected a JSON object at the top level");
  ServeConfig c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "stubs") {
      if (!it->is_object()) throw ScenarioError(file + ": stubs: expected an object");
      for (auto s = it->begin(); s != it->end(); ++s)
        if (s.key() != "ses")
          throw ScenarioError(file + ": stubs." + s.key() + ": unknown stub (known: ses)");
      c.stubs = *it;
    } else if (key == "faults") {
      auto known = stubs::SesStub().error_names();
      auto rules = stubs::parse_fault_rules(*it, "faults",
                                            std::set<std::string>(known.begin(), known.end()));
      if (!rules) throw ScenarioError(file + ": " + rules.error().to_string());
      c.faults = std::move(*rules);
    } else if (key == "journal") {
      if (!it->is_object()) throw ScenarioError(file + ": journal: expected an object");
      for (auto f = it->begin(); f != it->end(); ++f) {
        if (!f->is_number_unsigned() || f->get<std::uint64_t>() == 0)
          throw ScenarioError(file + ": journal." + f.key() + ": expected a whole number > 0");
        if (f.key() == "capacity")
          c.journal.capacity = f->get<std::size_t>();
        else if (f.key() == "body_bytes_max")
          c.journal.body_bytes_max = f->get<std::size_t>();
        else
          throw ScenarioError(file + ": journal." + f.key() +
                              ": unknown field (allowed: capacity, body_bytes_max)");
      }
    } else {
      throw ScenarioError(file + ": " + key + ": unknown field (allowed: stubs, faults, journal)");
    }
  }
  // Check the stub settings now, so a typo fails at start-up rather than at the first request.
  if (c.stubs.contains("ses")) {
    stubs::SesStub probe;
    if (std::string err = probe.configure(c.stubs["ses"]); !err.empty())
      throw ScenarioError(file + ": stubs.ses." + err);
  }
  return c;
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
