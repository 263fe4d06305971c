// The console's files as the admin port serves them: paths, content types, the security
// headers, and that no file names another host.
#include "notify/stubs/console.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>

namespace notify::stubs::console {
namespace {

transport::Request get(std::string target, std::string method = "GET") {
  transport::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

TEST(Console, ThePageIsAtTheRootAndAtEveryUiPath) {
  for (const char* path : {"/", "/ui", "/ui/", "/ui/email", "/ui/message/42", "/ui/faults?x=1"}) {
    auto r = reply(get(path));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->response.status, 200) << path;
    EXPECT_EQ(r->response.headers.get_or("Content-Type", ""), "text/html; charset=utf-8");
    EXPECT_NE(r->response.body.find("<title>notify-sim console</title>"), std::string::npos);
  }
}

TEST(Console, OtherPathsAreLeftToTheControlApi) {
  for (const char* path : {"/health", "/journal", "/journal/stream", "/uix", "/faults"})
    EXPECT_FALSE(reply(get(path)).has_value()) << path;
}

TEST(Console, AssetsHaveTheirContentTypes) {
  const std::pair<const char*, const char*> expected[] = {
      {"console.css", "text/css; charset=utf-8"},
      {"console.js", "text/javascript; charset=utf-8"},
      {"views.js", "text/javascript; charset=utf-8"},
      {"uk.js", "text/javascript; charset=utf-8"},
      {"index.html", "text/html; charset=utf-8"},
  };
  for (const auto& [name, type] : expected) {
    auto r = reply(get(std::string("/ui/assets/") + name));
    ASSERT_TRUE(r.has_value()) << name;
    EXPECT_EQ(r->response.status, 200) << name;
    EXPECT_EQ(r->response.headers.get_or("Content-Type", ""), type) << name;
    EXPECT_FALSE(r->response.body.empty()) << name;
  }
  auto missing = reply(get("/ui/assets/nope.js"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->response.status, 404);
}

TEST(Console, EveryAnswerCarriesThePolicy) {
  for (const char* path : {"/", "/ui/assets/console.js", "/ui/assets/nope.js"}) {
    auto r = reply(get(path));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->response.headers.get_or("Content-Security-Policy", ""), kContentSecurityPolicy);
    EXPECT_EQ(r->response.headers.get_or("X-Content-Type-Options", ""), "nosniff");
    EXPECT_EQ(r->response.headers.get_or("Referrer-Policy", ""), "no-referrer");
  }
  // Scripts only from this server, none inline; nothing loaded from anywhere else.
  const std::string csp(kContentSecurityPolicy);
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("img-src 'self' data:"), std::string::npos);
}

TEST(Console, OnlyGetAndHead) {
  auto r = reply(get("/", "POST"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->response.status, 405);
  EXPECT_EQ(r->response.headers.get_or("Allow", ""), "GET, HEAD");
}

TEST(Console, NoAssetNamesAnotherHost) {
  // The SVG namespace is a name, not a request; any other absolute URL would be a request to a
  // host the user did not ask for.
  const std::regex url(R"(https?://[^\s"'`<>)]*)");
  ASSERT_GE(assets().size(), 5u);
  for (const auto& a : assets()) {
    const std::string body(a.body);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), url); it != std::sregex_iterator();
         ++it) {
      EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg") << a.name << " names " << it->str();
    }
    // Nor a protocol-relative URL in a src or href.
    EXPECT_EQ(body.find("src=\"//"), std::string::npos) << a.name;
    EXPECT_EQ(body.find("href=\"//"), std::string::npos) << a.name;
  }
}

TEST(Console, ThePageUsesNoInlineScriptOrMarkupSinks) {
  for (const auto& a : assets()) {
    const std::string body(a.body);
    // Values from the journal reach the page as text only.
    EXPECT_EQ(body.find("innerHTML"), std::string::npos) << a.name;
    EXPECT_EQ(body.find("outerHTML"), std::string::npos) << a.name;
    EXPECT_EQ(body.find("insertAdjacentHTML"), std::string::npos) << a.name;
    EXPECT_EQ(body.find("document.write"), std::string::npos) << a.name;
    EXPECT_EQ(body.find("eval("), std::string::npos) << a.name;
  }
  auto page = reply(get("/"));
  EXPECT_EQ(page->response.body.find("<script>"), std::string::npos);
}

TEST(Console, WithConsoleOffThePageIsTheControlApis404) {
  int control_calls = 0;
  transport::ServerHandler control = [&](transport::Request, transport::Responder respond) {
    ++control_calls;
    transport::Reply r;
    r.response.status = 404;
    respond(std::move(r));
  };
  std::optional<transport::Reply> got;
  auto off = with_console(control, false);
  off(get("/"), [&](transport::Reply r) { got = std::move(r); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->response.status, 404);
  EXPECT_EQ(control_calls, 1);

  auto on = with_console(control, true);
  on(get("/"), [&](transport::Reply r) { got = std::move(r); });
  EXPECT_EQ(got->response.status, 200);
  on(get("/health"), [&](transport::Reply r) { got = std::move(r); });
  EXPECT_EQ(control_calls, 2);
}

}  // namespace
}  // namespace notify::stubs::console
