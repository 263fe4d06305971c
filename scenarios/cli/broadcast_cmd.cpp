// The broadcast side of `validate` (CAP 1.2 and IBAG documents, recognised by content) and the
// `render` subcommand. Scenario and serve configuration files still go to check_json_file.
#include "commands.hpp"
#include "notify/broadcast/render.hpp"
#include "notify/broadcast/sign.hpp"
#include "notify/broadcast/validate.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace notify::cli {
namespace {

namespace bx = notify::broadcast;

// Reads at most `limit` + 1 bytes so an enormous file is reported as too large, not loaded.
bool read_bounded(const std::string& path, std::size_t limit, std::string& out) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.resize(limit + 1);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return !in.bad();
}

// Directories contribute their *.json and *.xml files, sorted; files are taken as given.
bool expand(const std::vector<std::string>& paths, std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(p, ec)) {
      auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".json" || ext == ".xml"))
        found.push_back(entry.path().string());
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      std::fprintf(stderr, "notify-sim validate: %s: directory has no *.json or *.xml files\n",
                   p.c_str());
      return false;
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  return true;
}

std::string quoted_found(const bx::Problem& p) {
  return p.found.empty() ? std::string() : " (found \"" + p.found + "\")";
}

nlohmann::json problem_json(const bx::Problem& p) {
  return {{"line", p.line},
          {"path", p.path},
          {"rule", p.rule},
          {"severity", std::string(bx::to_string(p.severity))},
          {"layer", std::string(bx::to_string(p.layer))},
          {"message", p.message},
          {"found", p.found}};
}

}  // namespace

int validate_any(const ValidateArgs& args) {
  auto profile = bx::parse_profile(args.profile);
  if (!profile) {
    std::fprintf(stderr, "notify-sim validate: --profile %s: expected oasis, google or uk\n",
                 args.profile.c_str());
    return 2;
  }
  std::vector<std::string> files;
  if (!expand(args.paths, files)) return 2;

  std::optional<bx::SignatureVerifier> verifier;
  if (args.verify_signature) {
    try {
      verifier.emplace(bx::SignatureVerifier::from_file(*args.verify_signature));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "notify-sim validate: --verify-signature %s\n", e.what());
      return 2;
    }
  }

  bx::ValidateOptions options;
  options.profile = *profile;
  int exit_code = 0;
  auto worst = [&](int code) { exit_code = std::max(exit_code, code); };
  nlohmann::json report = nlohmann::json::array();

  for (const auto& f : files) {
    std::string bytes;
    if (!read_bounded(f, options.document_bytes_max, bytes)) {
      std::fprintf(stderr, "bad  %s: cannot be read\n", f.c_str());
      if (args.json) report.push_back({{"file", f}, {"kind", "unreadable"}, {"valid", false}});
      worst(2);
      continue;
    }
    // Scenario and serve files are JSON; anything else is judged as a broadcast document, so
    // plain text named *.xml is reported as "not XML" rather than "not JSON".
    auto first = bytes.find_first_not_of(" \t\r\n");
    bool json_like = first != std::string::npos && (bytes[first] == '{' || bytes[first] == '[');
    // A file named *.json is a scenario or serve configuration whatever it holds, so an empty
    // or broken one is reported as bad JSON rather than judged as a broadcast document.
    const bool json_name = f.size() > 5 && f.compare(f.size() - 5, 5, ".json") == 0;
    if (json_name || (!bx::looks_like_xml(bytes) && json_like)) {
      // Not a broadcast document: a scenario or serve configuration, checked as before.
      std::string what;
      bool ok = f != "-" && check_json_file(f, what);
      if (f == "-") what = "standard input: only CAP and IBAG documents can be read from it";
      if (args.json) {
        report.push_back({{"file", f}, {"kind", "json"}, {"valid", ok}, {"summary", what}});
      } else if (ok) {
        std::printf("ok   %s (%s)\n", f.c_str(), what.c_str());
      } else {
        std::fprintf(stderr, "bad  %s\n", what.c_str());
      }
      if (!ok) worst(2);
      continue;
    }
    auto r = bx::validate_document(bytes, options);
    // A document that was read but is not CAP 1.2 or IBAG (CAP 1.1, not XML) is an invalid
    // document like any other; 2 is kept for files that cannot be read and bad arguments.
    int code = r.kind != bx::DocumentKind::unknown && r.valid() ? 0 : 1;
    std::optional<bx::SignatureCheck> signature;
    if (verifier && r.kind != bx::DocumentKind::unknown) {
      signature = verifier->verify(bytes);
      if (signature->status != bx::SignatureStatus::valid) code = 1;
    }
    worst(code);
    if (args.json) {
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& p : r.problems) problems.push_back(problem_json(p));
      report.push_back({{"file", f},
                        {"kind", std::string(bx::to_string(r.kind))},
                        {"description", r.kind_description},
                        {"profile", args.profile},
                        {"valid", code == 0},
                        {"errors", r.error_count()},
                        {"warnings", r.warning_count()},
                        {"problems_dropped", r.problems_dropped},
                        {"problems", problems}});
      if (signature)
        report.back()["signature"] = {{"status", std::string(bx::to_string(signature->status))},
                                      {"detail", signature->detail}};
      continue;
    }
    if (signature && signature->status != bx::SignatureStatus::valid)
      std::printf("%s: error: signature: signature-%s: %s\n", f.c_str(),
                  std::string(bx::to_string(signature->status)).c_str(),
                  signature->detail.c_str());
    for (const auto& p : r.problems)
      std::printf("%s:%zu: %s: %s: %s: %s%s\n", f.c_str(), p.line,
                  std::string(bx::to_string(p.severity)).c_str(), p.path.c_str(), p.rule.c_str(),
                  p.message.c_str(), quoted_found(p).c_str());
    if (r.problems_dropped > 0)
      std::printf("%s: %zu more problems not shown\n", f.c_str(), r.problems_dropped);
    std::printf("%s %s (%s, profile %s: %zu errors, %zu warnings%s)\n", code == 0 ? "ok  " : "bad ",
                f.c_str(), r.kind_description.c_str(), args.profile.c_str(), r.error_count(),
                r.warning_count(),
                signature ? (", signature " + std::string(bx::to_string(signature->status))).c_str()
                          : "");
  }
  if (args.json) std::printf("%s\n", report.dump(2).c_str());
  return exit_code;
}

int render(const RenderArgs& args) {
  std::optional<bx::Signer> signer;
  if (args.sign_key && args.sign_cert) {
    try {
      signer.emplace(bx::Signer::from_files(*args.sign_key, *args.sign_cert));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "notify-sim render: %s\n", e.what());
      return 2;
    }
  }
  auto generator = bx::parse_generator(args.generator);
  if (!generator) {
    std::fprintf(stderr,
                 "notify-sim render: --generator %s: expected notify-2023 or emergency-alerts\n",
                 args.generator.c_str());
    return 2;
  }
  std::string text;
  if (!read_bounded(args.payload, 16 * 1024 * 1024, text)) {
    std::fprintf(stderr, "notify-sim render: %s: cannot be read\n", args.payload.c_str());
    return 2;
  }
  auto payload = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    std::fprintf(stderr, "notify-sim render: %s: not JSON\n", args.payload.c_str());
    return 2;
  }
  if (args.format && payload.is_object()) {
    payload["message_format"] = *args.format;
    // The same alert for the other kind of provider: carry the language over in that format's
    // words, as Notify would have chosen them.
    if (auto it = payload.find("language"); it != payload.end() && it->is_string()) {
      auto format = *args.format == "cap" ? bx::MessageFormat::cap : bx::MessageFormat::ibag;
      auto v = it->get<std::string>();
      if (v == "cy-GB" || v == "Welsh") *it = bx::language_value(bx::Language::welsh, format);
      if (v == "en-GB" || v == "English") *it = bx::language_value(bx::Language::english, format);
    }
  }

  bx::RenderOptions options;
  options.generator = *generator;
  options.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (args.now) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (std::sscanf(args.now->c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) {
      std::fprintf(stderr, "notify-sim render: --now %s: expected YYYY-MM-DDThh:mm:ss (UTC)\n",
                   args.now->c_str());
      return 2;
    }
    using namespace std::chrono;
    auto day = year_month_day{year{y}, month{static_cast<unsigned>(mo)},
                              std::chrono::day{static_cast<unsigned>(d)}};
    if (!day.ok()) {
      std::fprintf(stderr, "notify-sim render: --now %s: no such date\n", args.now->c_str());
      return 2;
    }
    options.now = sys_days{day} + hours{h} + minutes{mi} + seconds{s};
  }

  auto document = bx::render_json(payload, options);
  if (!document) {
    const auto& e = document.error();
    if (e.not_sent) {
      std::fprintf(stderr, "notify-sim render: %s: nothing to send: %s\n", args.payload.c_str(),
                   e.message.c_str());
      return 0;
    }
    std::fprintf(stderr, "notify-sim render: %s: %s: %s\n", args.payload.c_str(), e.field.c_str(),
                 e.message.c_str());
    return 2;
  }
  if (signer) {
    auto signed_doc = signer->sign(*document);
    if (!signed_doc.ok) {
      std::fprintf(stderr, "notify-sim render: %s: cannot sign: %s\n", args.payload.c_str(),
                   signed_doc.error.c_str());
      return 2;
    }
    *document = std::move(signed_doc.document);
  }
  std::printf("%s\n", document->c_str());
  return 0;
}

}  // namespace notify::cli
