// GSM 03.38 tables and Notify's broadcast language rule. The sets are Notify's SanitiseSMS
// (notifications-utils sanitise_text.py): GSM_CHARACTERS, EXTENDED_GSM_CHARACTERS and
// WELSH_DIACRITICS minus the GSM characters.
#include "notify/broadcast/language.hpp"

#include <algorithm>

namespace notify::broadcast {

// clang-format off
const std::array<char32_t, 128> kGsmBasic = {
    // 0x00
    U'@', 0x00A3, U'$', 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
    0x00F2, 0x00C7, U'\n', 0x00D8, 0x00F8, U'\r', 0x00C5, 0x00E5,
    // 0x10: Greek capitals, then ESC (0x1B) to the extension table.
    0x0394, U'_', 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
    0x03A3, 0x0398, 0x039E, 0x001B, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
    // 0x20: as ASCII except 0x24 is the currency sign.
    U' ', U'!', U'"', U'#', 0x00A4, U'%', U'&', U'\'',
    U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',
    U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    // 0x40
    0x00A1, U'A', U'B', U'C', U'D', U'E', U'F', U'G',
    U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',
    U'X', U'Y', U'Z', 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
    // 0x60
    0x00BF, U'a', U'b', U'c', U'd', U'e', U'f', U'g',
    U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',
    U'x', U'y', U'z', 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

const std::array<char32_t, 9> kGsmExtension = {
    U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', 0x20AC,
};

const std::array<char32_t, 43> kWelshNonGsm = {
    0x00C0, 0x00C1, 0x00C2, 0x00C8, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
    0x00D2, 0x00D3, 0x00D4, 0x00D9, 0x00DA, 0x00DB, 0x00DD,
    0x00E1, 0x00E2, 0x00EA, 0x00EB, 0x00ED, 0x00EE, 0x00EF, 0x00F3, 0x00F4, 0x00FA,
    0x00FB, 0x00FD, 0x00FF,
    0x0174, 0x0175, 0x0176, 0x0177, 0x0178,
    0x1E80, 0x1E81, 0x1E82, 0x1E83, 0x1E84, 0x1E85,
    0x1EF2, 0x1EF3,
};
// clang-format on

bool is_gsm_basic(char32_t c) noexcept {
  return std::find(kGsmBasic.begin(), kGsmBasic.end(), c) != kGsmBasic.end();
}

bool is_gsm_extension(char32_t c) noexcept {
  return std::find(kGsmExtension.begin(), kGsmExtension.end(), c) != kGsmExtension.end();
}

bool is_welsh_non_gsm(char32_t c) noexcept {
  // Every Welsh non-GSM character is at or above U+00C0; most text is ASCII, so this returns
  // before the search.
  if (c < 0x00C0) return false;
  return std::find(kWelshNonGsm.begin(), kWelshNonGsm.end(), c) != kWelshNonGsm.end();
}

char32_t next_code_point(std::string_view text, std::size_t& pos) noexcept {
  constexpr char32_t kReplacement = 0xFFFD;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t length = 0;
  char32_t c = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacement;
  }
  if (pos + length > text.size()) {
    ++pos;
    return kReplacement;
  }
  for (std::size_t i = 1; i < length; ++i) {
    unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    ++pos;
    return kReplacement;
  }
  pos += length;
  return c;
}

Language infer_language(std::string_view utf8_text) noexcept {
  std::size_t pos = 0;
  while (pos < utf8_text.size()) {
    // ASCII runs dominate real messages; skip them without decoding.
    if (static_cast<unsigned char>(utf8_text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (is_welsh_non_gsm(next_code_point(utf8_text, pos))) return Language::welsh;
  }
  return Language::english;
}

std::string_view language_value(Language language, MessageFormat format) noexcept {
  if (format == MessageFormat::cap) return language == Language::welsh ? "cy-GB" : "en-GB";
  return language == Language::welsh ? "Welsh" : "English";
}

}  // namespace notify::broadcast
