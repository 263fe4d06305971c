#include "notify/stubs/text.hpp"

#include <array>

namespace notify::stubs {

namespace {

// Whether a byte is written other than as itself: the five markup characters and the C0
// controls XML 1.0 cannot carry.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = c != '\t' && c != '\n' && c != '\r';
  for (unsigned char c : {'<', '>', '&', '"', '\''}) table[c] = true;
  return table;
}();

bool needs_escape(char c) { return kNeedsEscape[static_cast<unsigned char>(c)]; }

}  // namespace

std::string xml_escape(std::string_view text) {
  // Ids and most names have nothing to escape: copy them whole.
  std::size_t first = 0;
  while (first < text.size() && !needs_escape(text[first])) ++first;
  if (first == text.size()) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  out.append(text.substr(0, first));
  for (char c : text.substr(first)) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 cannot carry most C0 controls even escaped; a parser would reject the whole
        // answer, so they become '?' (only ever seen in hostile input echoed in a message).
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace notify::stubs
