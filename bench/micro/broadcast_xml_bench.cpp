// Broadcast document costs: the language rule on a full-length message, rendering a CAP alert with
// three 100-point polygons, and validating that document. Run:
// build/bench/micro/notify_bench_broadcast_xml
#include "notify/broadcast/language.hpp"
#include "notify/broadcast/render.hpp"
#include "notify/broadcast/validate.hpp"

#include <benchmark/benchmark.h>

#include <cmath>

namespace {

using namespace notify::broadcast;

// 1,395 GSM characters, Notify's longest English broadcast, with no Welsh character so the whole
// text is scanned.
std::string longest_english_message() {
  const std::string sentence = "Severe flood warning: leave low ground now and follow advice. ";
  std::string text;
  while (text.size() < kBroadcastGsmCharactersMax) text += sentence;
  text.resize(kBroadcastGsmCharactersMax);
  return text;
}

Polygon ring(double lat, double lon, int points) {
  // A closed ring of `points` points, the first repeated last, 6 decimal places like Notify's.
  Polygon p;
  for (int i = 0; i < points - 1; ++i) {
    double a = 2 * M_PI * i / (points - 1);
    p.push_back({std::round((lat + 0.05 * std::sin(a)) * 1e6) / 1e6,
                 std::round((lon + 0.08 * std::cos(a)) * 1e6) / 1e6});
  }
  p.push_back(p.front());
  return p;
}

Payload three_polygon_alert() {
  Payload p;
  p.message_type = MessageType::alert;
  p.message_format = MessageFormat::cap;
  p.identifier = "2b5b1e0a-6a49-4b0e-9d8a-3f6c2f1e9a01";
  p.headline = "GOV.UK Emergency Alert";
  p.description = longest_english_message();
  p.sent = "2021-02-15T10:00:00-00:00";
  p.expires = "2021-02-15T14:00:00-00:00";
  p.language = "en-GB";
  p.channel = Channel::severe;
  for (int i = 0; i < 3; ++i) {
    Area area;
    area.polygon = ring(51.5 + i, -1.2 + i, 100);
    p.areas.push_back(std::move(area));
  }
  return p;
}

void BM_InferLanguage1395(benchmark::State& state) {
  auto text = longest_english_message();
  for (auto _ : state) benchmark::DoNotOptimize(infer_language(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_InferLanguage1395);

void BM_RenderCapAlert3x100(benchmark::State& state) {
  auto payload = three_polygon_alert();
  for (auto _ : state) {
    auto doc = render(payload);
    benchmark::DoNotOptimize(doc->data());
  }
}
BENCHMARK(BM_RenderCapAlert3x100);

void BM_ValidateCapAlert3x100(benchmark::State& state) {
  auto doc = *render(three_polygon_alert());
  ValidateOptions options;
  options.profile = Profile::uk;
  if (!validate_document(doc, options).valid()) state.SkipWithError("document is not valid");
  for (auto _ : state) {
    auto report = validate_document(doc, options);
    benchmark::DoNotOptimize(report.problems.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_ValidateCapAlert3x100);

}  // namespace
