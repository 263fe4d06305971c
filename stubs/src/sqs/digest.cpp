// The digests SQS returns (MD5OfMessageBody, MD5OfMessageAttributes) and base64 for binary
// attribute values.
#include "core.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

namespace notify::stubs::sqs {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void put_length_prefixed(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  out += static_cast<char>((n >> 24) & 0xFF);
  out += static_cast<char>((n >> 16) & 0xFF);
  out += static_cast<char>((n >> 8) & 0xFF);
  out += static_cast<char>(n & 0xFF);
  out += s;
}

}  // namespace

std::string md5_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string md5_of_attributes(const nlohmann::json& attributes) {
  std::vector<std::string> names;
  for (const auto& [name, value] : attributes.items()) names.push_back(name);
  // By name, as bytes: the order SQS (and botocore's check) hash them in.
  std::sort(names.begin(), names.end());
  std::string buffer;
  for (const auto& name : names) {
    const auto& value = attributes.at(name);
    put_length_prefixed(buffer, name);
    put_length_prefixed(buffer, value.value("DataType", ""));
    if (value.contains("BinaryValue")) {
      buffer += '\x02';
      put_length_prefixed(buffer,
                          base64_decode(value.value("BinaryValue", "")).value_or(std::string()));
    } else {
      buffer += '\x01';
      put_length_prefixed(buffer, value.value("StringValue", ""));
    }
  }
  return md5_hex(buffer);
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
             (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    for (int j = 0; j < 4; ++j) {
      char c = text[i + j];
      const bool pad_ok = c == '=' && i + 4 == text.size() && j >= 2;
      v[j] = pad_ok ? 0 : value(c);
      if (v[j] < 0) return std::nullopt;
    }
    std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xFF);
    if (text[i + 2] != '=') out += static_cast<char>((n >> 8) & 0xFF);
    if (text[i + 3] != '=') out += static_cast<char>(n & 0xFF);
  }
  return out;
}

}  // namespace notify::stubs::sqs
