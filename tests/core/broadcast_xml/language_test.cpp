// Pins the GSM 03.38 tables and the Welsh set character by character, and Notify's language rule.
#include "notify/broadcast/language.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace notify::broadcast {
namespace {

// UTF-8 of one code point, for building test strings from the tables.
std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

TEST(Gsm, BasicTableInCodeOrder) {
  // Notify's GSM_CHARACTERS string, which is the 03.38 default alphabet in code order.
  const std::u32string expected =
      U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1B"
      U"ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  ASSERT_EQ(expected.size(), 128u);
  for (std::size_t i = 0; i < 128; ++i)
    EXPECT_EQ(kGsmBasic[i], expected[i]) << "GSM code 0x" << std::hex << i;
  EXPECT_EQ(std::set<char32_t>(kGsmBasic.begin(), kGsmBasic.end()).size(), 128u);
}

TEST(Gsm, ExtensionTable) {
  const std::u32string expected = U"^{}\\[~]|€";
  ASSERT_EQ(expected.size(), kGsmExtension.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(kGsmExtension[i], expected[i]) << i;
  EXPECT_FALSE(is_gsm_extension(U'\f'));  // form feed is in 03.38's extension, not Notify's set
  for (char32_t c : expected) EXPECT_FALSE(is_gsm_basic(c));
}

TEST(Gsm, AllowedSetHas137CharactersAndNoBacktick) {
  std::set<char32_t> all(kGsmBasic.begin(), kGsmBasic.end());
  all.insert(kGsmExtension.begin(), kGsmExtension.end());
  EXPECT_EQ(all.size(), 137u);
  for (char32_t c = 0x20; c < 0x7F; ++c)
    EXPECT_EQ(all.count(c) == 1, c != U'`') << "ASCII " << static_cast<char>(c);
}

TEST(Welsh, NonGsmSetIsTheDiacriticsMinusGsm) {
  // Notify's WELSH_DIACRITICS.
  const std::u32string diacritics = U"àèìòùẁỳÀÈÌÒÙẀỲáéíóúẃýÁÉÍÓÚẂÝäëïöüẅÿÄËÏÖÜẄŸâêîôûŵŷÂÊÎÔÛŴŶ";
  ASSERT_EQ(diacritics.size(), 56u);
  std::set<char32_t> derived, in_gsm;
  for (char32_t c : diacritics) (is_gsm_basic(c) ? in_gsm : derived).insert(c);
  EXPECT_EQ(derived, std::set<char32_t>(kWelshNonGsm.begin(), kWelshNonGsm.end()));
  EXPECT_EQ(in_gsm, std::set<char32_t>({U'Ä', U'É', U'Ö', U'Ü', U'à', U'ä', U'è', U'é', U'ì', U'ò',
                                        U'ö', U'ù', U'ü'}));
}

TEST(Welsh, NonGsmTableCharacterByCharacter) {
  const std::u32string expected = U"ÀÁÂÈÊËÌÍÎÏÒÓÔÙÚÛÝáâêëíîïóôúûýÿŴŵŶŷŸẀẁẂẃẄẅỲỳ";
  ASSERT_EQ(expected.size(), 43u);
  for (std::size_t i = 0; i < 43; ++i) {
    EXPECT_EQ(kWelshNonGsm[i], expected[i]) << i;
    EXPECT_TRUE(is_welsh_non_gsm(expected[i])) << i;
    EXPECT_FALSE(is_gsm_basic(expected[i])) << i;
  }
}

TEST(InferLanguage, NotifysOwnExamples) {
  EXPECT_EQ(infer_language("mŷ-description"), Language::welsh);
  EXPECT_EQ(infer_language("my-description"), Language::english);
  // Welsh written only with accents GSM has is tagged English, as Notify does.
  EXPECT_EQ(infer_language("Rhybudd: ewch i'r ysgol à é"), Language::english);
  EXPECT_EQ(infer_language(""), Language::english);
}

TEST(InferLanguage, EachWelshCharacterAloneMakesWelsh) {
  for (char32_t c : kWelshNonGsm)
    EXPECT_EQ(infer_language("flood " + utf8(c) + " warning"), Language::welsh) << utf8(c);
}

TEST(InferLanguage, NoGsmCharacterMakesWelsh) {
  std::string all;
  for (char32_t c : kGsmBasic) all += utf8(c);
  for (char32_t c : kGsmExtension) all += utf8(c);
  // Emoji and Cyrillic are downgraded to '?' by Notify, not counted as Welsh.
  all += "😀 Привет ™";
  EXPECT_EQ(infer_language(all), Language::english);
}

TEST(InferLanguage, MalformedUtf8IsSkipped) {
  EXPECT_EQ(infer_language("\xC5"), Language::english);                   // truncated ŵ
  EXPECT_EQ(infer_language("\xC0\xB5 \xED\xA0\x80"), Language::english);  // overlong, surrogate
  EXPECT_EQ(infer_language("\xFF\xC5\xB5"), Language::welsh);             // junk, then ŵ
}

TEST(InferLanguage, ValuesPerFormat) {
  EXPECT_EQ(language_value(Language::english, MessageFormat::cap), "en-GB");
  EXPECT_EQ(language_value(Language::welsh, MessageFormat::cap), "cy-GB");
  EXPECT_EQ(language_value(Language::english, MessageFormat::ibag), "English");
  EXPECT_EQ(language_value(Language::welsh, MessageFormat::ibag), "Welsh");
  EXPECT_EQ(kBroadcastGsmCharactersMax, 1395u);
  EXPECT_EQ(kBroadcastUcs2CharactersMax, 615u);
}

}  // namespace
}  // namespace notify::broadcast
