#include "notify/stubs/registry.hpp"

#include "notify/runtime/assert.hpp"

namespace notify::stubs {

void StubRegistry::add(StubSpec spec) {
  NOTIFY_ASSERT(!spec.service.empty() && spec.make != nullptr);
  NOTIFY_ASSERT(find(spec.service) == nullptr);
  specs_.push_back(std::move(spec));
}

const StubSpec* StubRegistry::find(std::string_view service) const {
  for (const auto& s : specs_) {
    if (s.service == service) return &s;
  }
  return nullptr;
}

std::vector<std::string> StubRegistry::services() const {
  std::vector<std::string> out;
  for (const auto& s : specs_) out.push_back(s.service);
  return out;
}

std::set<std::string> StubRegistry::error_names() const {
  std::set<std::string> out;
  for (const auto& s : specs_) {
    for (auto& n : s.make()->error_names()) out.insert(std::move(n));
  }
  return out;
}

FaultVocabulary StubRegistry::vocabulary() const {
  std::vector<std::unique_ptr<Stub>> made;
  std::vector<const Stub*> stubs;
  for (const auto& s : specs_) {
    made.push_back(s.make());
    stubs.push_back(made.back().get());
  }
  return fault_vocabulary(stubs);
}

FaultVocabulary fault_vocabulary(const std::vector<const Stub*>& stubs) {
  FaultVocabulary out;
  for (const Stub* stub : stubs) {
    std::string service(stub->service());
    out.services.insert(service);
    auto& errors = out.errors_by_service[service];
    for (auto& n : stub->error_names()) {
      errors.insert(n);
      out.errors.insert(std::move(n));
    }
    if (auto names = stub->selector_names()) out.selectors[service] = std::move(*names);
  }
  return out;
}

void StubRegistry::validate_configs(const nlohmann::json& stubs, const std::string& path,
                                    const std::string& file) const {
  std::string known;
  for (const auto& s : specs_) known += (known.empty() ? "" : ", ") + s.service;
  if (!stubs.is_object()) throw ConfigError({file, path, "an object", quote_json(stubs)});
  for (auto it = stubs.begin(); it != stubs.end(); ++it) {
    const StubSpec* spec = find(it.key());
    if (spec == nullptr) {
      throw ConfigError(
          {file, path + "." + it.key(), "a known stub (" + known + ")", "an unknown stub"});
    }
    // A fresh stub reads the block exactly as the running one will.
    if (auto error = spec->make()->configure(*it)) {
      throw ConfigError(error->under(path + "." + it.key()).in_file(file));
    }
  }
}

void set_dotted(nlohmann::json& config, std::string_view dotted, nlohmann::json value) {
  nlohmann::json* node = &config;
  while (true) {
    if (!node->is_object()) *node = nlohmann::json::object();
    auto dot = dotted.find('.');
    std::string key(dotted.substr(0, dot));
    if (dot == std::string_view::npos) {
      (*node)[key] = std::move(value);
      return;
    }
    node = &(*node)[key];
    dotted.remove_prefix(dot + 1);
  }
}

bool has_dotted(const nlohmann::json& config, std::string_view dotted) {
  const nlohmann::json* node = &config;
  while (node->is_object()) {
    auto dot = dotted.find('.');
    auto it = node->find(std::string(dotted.substr(0, dot)));
    if (it == node->end()) return false;
    if (dot == std::string_view::npos) return true;
    node = &*it;
    dotted.remove_prefix(dot + 1);
  }
  return false;
}

}  // namespace notify::stubs
