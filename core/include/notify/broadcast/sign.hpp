// XML-DSig for broadcast documents, as emergency-alerts-utils signs them with signxml
// (emergency_alerts_utils/xml/common.py digitally_sign, ibag.py format_ibag_signature): one
// enveloped ds:Signature over the whole document (Reference URI ""), RSA-SHA256 over SHA-256
// digests, C14N 1.1 for SignedInfo and as the reference's transform after the enveloped-signature
// one, and the signing certificate in KeyInfo/X509Data. CAP keeps the signature as the last child
// of <alert>; IBAG carries it inside <IBAG_Digital_Signature>. The document's own bytes are kept:
// only the signature is added. libxmlsec1 (OpenSSL) does the work and stays behind this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace notify::broadcast {

/// The outcome of signing: the signed document, or why it could not be signed.
struct SignResult {
  bool ok = false;
  std::string document;  // when ok
  std::string error;     // otherwise, for people
};

/// Signs documents with one RSA key and its certificate.
class Signer {
 public:
  /// Reads a PEM private key (unencrypted) and its PEM certificate. Throws std::runtime_error
  /// naming the file and what is wrong with it: a configuration error.
  static Signer from_files(const std::string& key_path, const std::string& certificate_path);
  /// The same from PEM text held in memory; `label` names where it came from in errors
  /// ("LABEL: not an unencrypted PEM private key ...").
  static Signer from_pem(std::string_view key_pem, std::string_view certificate_pem,
                         const std::string& label);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  /// `document` as render() wrote it (CAP 1.2 alert or IBAG_Alert_Attributes, which must hold an
  /// empty IBAG_Digital_Signature), with the signature added.
  SignResult sign(std::string_view document) const;

 private:
  struct Impl;
  explicit Signer(std::unique_ptr<Impl> impl);
  // from_pem and from_files: each part named by its own label, so a file's error names that file.
  static Signer load(std::string_view key_pem, const std::string& key_label,
                     std::string_view certificate_pem, const std::string& certificate_label);
  std::unique_ptr<Impl> impl_;
};

enum class SignatureStatus {
  valid,     // one enveloped signature over the whole document, made by the trusted key
  missing,   // no ds:Signature in the document
  invalid,   // a signature that does not verify: the document or signature was changed, or
             // another key made it
  malformed  // not a document or signature this checker reads (not XML, a DOCTYPE, two
             // signatures, a reference other than the whole document)
};

struct SignatureCheck {
  SignatureStatus status = SignatureStatus::missing;
  std::string detail;  // for people
};

/// Checks signatures against one trusted certificate. The certificate in the document's KeyInfo
/// is not trusted; only the configured one is used.
class SignatureVerifier {
 public:
  /// Reads a PEM certificate. Throws std::runtime_error naming the file and what is wrong.
  static SignatureVerifier from_file(const std::string& certificate_path);
  /// The same from PEM text held in memory; `label` names where it came from in errors.
  static SignatureVerifier from_pem(std::string_view certificate_pem, const std::string& label);

  SignatureVerifier(SignatureVerifier&&) noexcept;
  SignatureVerifier& operator=(SignatureVerifier&&) noexcept;
  ~SignatureVerifier();

  /// Never throws for bad input; the document is untrusted (no DTD, no network, no entities).
  SignatureCheck verify(std::string_view document) const;

 private:
  struct Impl;
  explicit SignatureVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::string_view to_string(SignatureStatus status) noexcept;

/// notify-sim's built-in test key pair: RSA-2048 (e = 65537) and a self-signed X.509 v3
/// certificate (serial 1, CN "notify-sim test signer (public, not a secret)", valid 2020-01-01 to
/// 2120-01-01, SHA-256), both PEM (the key unencrypted PKCS#8). The pair is made in process from
/// a fixed seed, the same bytes in every process, so a scenario can sign and verify without a key
/// file and its runs stay deterministic. It is public: anyone with this source can make the same
/// key, so it proves nothing about who signed. For tests and demos only.
struct TestPair {
  std::string key_pem, certificate_pem;
};

/// The pair, made on first use (thread-safe). Throws std::runtime_error if OpenSSL fails.
const TestPair& test_pair();

/// How errors and answers name the test pair.
inline constexpr std::string_view kTestPairLabel = "notify-sim's built-in test pair";

}  // namespace notify::broadcast
