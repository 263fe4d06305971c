// The console: a page on the admin port that shows what the stubs received and switches faults,
// built only on the control API (docs/console.md). Its files are embedded in the binary; this
// answers the page's own paths and leaves every other path to the control API.
#pragma once

#include "notify/transport/server.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace notify::stubs::console {

/// One embedded file, served at /ui/assets/<name>.
struct Asset {
  std::string_view name;
  std::string_view content_type;
  std::string_view body;
};

/// Every file the console ships.
std::span<const Asset> assets();

/// The Content-Security-Policy of every console answer: nothing but this server, no inline
/// script, images only from here or data: URLs (so an e-mail's remote images stay blocked).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'none'";

/// The answer to "/", "/ui" or "/ui/...": an asset, or the page itself for any other /ui path
/// (so /ui/message/<seq> is a link that loads). nullopt for any other path.
std::optional<transport::Reply> reply(const transport::Request& request);

/// `control` with the console in front of it; with `enabled` false, `control` alone, so the
/// console's paths get the control API's 404.
transport::ServerHandler with_console(transport::ServerHandler control, bool enabled);

namespace detail {
extern const Asset kAssets[];
extern const std::size_t kAssetCount;
}  // namespace detail

}  // namespace notify::stubs::console
