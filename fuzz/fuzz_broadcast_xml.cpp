// Fuzz target: any bytes as a CAP/IBAG document for the validator, in each profile, and as a
// Lambda payload for the renderer.
#include "notify/broadcast/render.hpp"
#include "notify/broadcast/validate.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace notify::broadcast;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Profile p : {Profile::oasis, Profile::google, Profile::uk}) {
    ValidateOptions o;
    o.profile = p;
    (void)validate_document(text, o);
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    auto rendered = render_json(j);
    if (rendered) (void)validate_document(*rendered);
  }
  return 0;
}
