// Serves the console's embedded files. The page needs no secret to load: everything it shows
// comes from the control API, which checks the admin token on every call.
#include "notify/stubs/console.hpp"

#include <string>
#include <utility>

namespace notify::stubs::console {

namespace {

constexpr std::string_view kAssetPrefix = "/ui/assets/";

transport::Reply with_headers(int status, std::string_view content_type, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", content_type);
  reply.response.headers.set("Content-Security-Policy", kContentSecurityPolicy);
  reply.response.headers.set("X-Content-Type-Options", "nosniff");
  reply.response.headers.set("Referrer-Policy", "no-referrer");
  reply.response.headers.set("Cache-Control", "no-cache");
  reply.response.body = std::move(body);
  return reply;
}

const Asset* find(std::string_view name) {
  for (const auto& a : assets())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

std::span<const Asset> assets() { return {detail::kAssets, detail::kAssetCount}; }

std::optional<transport::Reply> reply(const transport::Request& request) {
  const std::string_view path = request.path();
  if (path != "/" && path != "/ui" && !path.starts_with("/ui/")) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    transport::Reply r = with_headers(405, "text/plain; charset=utf-8",
                                      "method " + request.method + " is not allowed on " +
                                          std::string(path) + "; expected GET\n");
    r.response.headers.set("Allow", "GET, HEAD");
    return r;
  }
  if (path.starts_with(kAssetPrefix)) {
    const Asset* asset = find(path.substr(kAssetPrefix.size()));
    if (asset == nullptr) {
      return with_headers(404, "text/plain; charset=utf-8",
                          "no console file " + std::string(path) + "\n");
    }
    return with_headers(200, asset->content_type, std::string(asset->body));
  }
  const Asset* page = find("index.html");
  return with_headers(200, page->content_type, std::string(page->body));
}

transport::ServerHandler with_console(transport::ServerHandler control, bool enabled) {
  if (!enabled) return control;
  return [control = std::move(control)](transport::Request request,
                                        transport::Responder respond) {
    if (auto r = reply(request)) return respond(std::move(*r));
    control(std::move(request), std::move(respond));
  };
}

}  // namespace notify::stubs::console
