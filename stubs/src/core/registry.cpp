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

const LoadOperation* StubRegistry::find_load_operation(std::string_view name) const {
  for (const auto& s : specs_) {
    for (const auto& op : s.load_operations) {
      if (op.name == name) return &op;
    }
  }
  return nullptr;
}

std::set<std::string> StubRegistry::error_names() const {
  std::set<std::string> out;
  for (const auto& s : specs_) {
    for (auto& n : s.make()->error_names()) out.insert(std::move(n));
  }
  return out;
}

FaultVocabulary StubRegistry::vocabulary() const {
  std::set<std::string> services;
  for (const auto& s : specs_) services.insert(s.service);
  return FaultVocabulary(std::move(services), error_names());
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
