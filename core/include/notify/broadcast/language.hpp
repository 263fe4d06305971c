// The character rules Notify applies to broadcast text: the GSM 03.38 basic and extension
// tables, the Welsh characters outside them, and the language the CBC proxy is told the text is
// in. A message is Welsh exactly when it holds one of the 43 Welsh non-GSM characters; Welsh that
// uses only accents GSM already has (à, é, ...) is tagged English, as Notify does.
#pragma once

#include <array>
#include <string_view>

namespace notify::broadcast {

/// GSM 03.38 default alphabet, indexed by its 7-bit code. Position 0x1B is the escape to the
/// extension table; Notify's allowed set counts it as a character too.
extern const std::array<char32_t, 128> kGsmBasic;

/// The nine extension-table characters Notify allows (form feed is not among them). Each costs
/// two septets.
extern const std::array<char32_t, 9> kGsmExtension;

/// Welsh diacritics (Notify's WELSH_DIACRITICS) minus the GSM characters: 43 characters that force
/// a broadcast into UCS-2 and tag it Welsh.
extern const std::array<char32_t, 43> kWelshNonGsm;

/// Notify's broadcast length limits: 1,395 GSM characters (extension characters count twice), or
/// 615 characters once any Welsh non-GSM character is present.
inline constexpr std::size_t kBroadcastGsmCharactersMax = 1395;
inline constexpr std::size_t kBroadcastUcs2CharactersMax = 615;

bool is_gsm_basic(char32_t c) noexcept;
bool is_gsm_extension(char32_t c) noexcept;
bool is_welsh_non_gsm(char32_t c) noexcept;

enum class Language { english, welsh };

/// The message format a CBC proxy renders: CAP 1.2 for EE, O2 and Three; IBAG for Vodafone.
enum class MessageFormat { cap, ibag };

/// Welsh if `utf8_text` contains any Welsh non-GSM character, otherwise English. Bytes that are
/// not UTF-8 are skipped: they cannot be Welsh characters.
Language infer_language(std::string_view utf8_text) noexcept;

/// The value the proxy payload carries for `language` in `format`: en-GB / cy-GB for CAP,
/// English / Welsh for IBAG.
std::string_view language_value(Language language, MessageFormat format) noexcept;

/// Decodes one UTF-8 code point from `text` at `pos`, advancing `pos`. Returns U+FFFD and
/// advances one byte on a malformed sequence (overlong, surrogate, truncated, > U+10FFFF).
char32_t next_code_point(std::string_view text, std::size_t& pos) noexcept;

}  // namespace notify::broadcast
