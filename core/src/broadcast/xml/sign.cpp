// Signing and checking broadcast documents with libxmlsec1 over OpenSSL. The document is parsed
// with libxml2, the signature made or checked on that tree, and for signing only the serialised
// ds:Signature is spliced into the caller's bytes, so the rest of the document stays exactly as
// render() wrote it (libxml2 would rewrite "<x></x>" as "<x/>").
#include "notify/broadcast/sign.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace notify::broadcast {
namespace {

// Keys, certificates and documents past these sizes are refused before parsing.
constexpr std::size_t kPemBytesMax = 64 * 1024;
constexpr std::size_t kDocumentBytesMax = 1024 * 1024;

constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

// xmlsec reports through a global callback, innermost failure first; the first message since an
// operation began on this thread says why it failed.
thread_local std::string last_xmlsec_error;

void record_xmlsec_error(const char* /*file*/, int /*line*/, const char* func,
                         const char* object, const char* subject, int reason, const char* msg) {
  if (!last_xmlsec_error.empty()) return;
  std::string m = std::string(func != nullptr ? func : "?");
  if (object != nullptr) m += std::string(" ") + object;
  if (subject != nullptr) m += std::string(" ") + subject;
  m += ": ";
  m += msg != nullptr && msg[0] != '\0' ? msg : "reason " + std::to_string(reason);
  last_xmlsec_error = std::move(m);
}

void quiet_libxml(void*, const char*, ...) {}

// xmlsec and its OpenSSL back end are initialised once per process and never shut down: the
// stubs and the CLI may sign from any thread until exit.
void ensure_initialised() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetGenericErrorFunc(nullptr, quiet_libxml);
    if (xmlSecInit() < 0) {
      failure = "xmlsec could not start";
      return;
    }
    if (xmlSecCheckVersion() != 1) {
      failure = "the loaded xmlsec library is not the version notify-sim was built against";
      return;
    }
    if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
      failure = "xmlsec's OpenSSL back end could not start";
      return;
    }
    xmlSecErrorsSetCallback(record_xmlsec_error);
    // signxml writes base64 values on one line; so does this signer (xmlsec refuses 0, "no
    // breaks", so the line is longer than any value it writes).
    xmlSecBase64SetDefaultLineSize(1 << 20);
  });
  if (!failure.empty()) throw std::runtime_error(failure);
}

// PEM text, whether read from a file or held in memory, is bounded and looked at before parsing.
void check_pem(std::string_view bytes, const std::string& label, const char* what) {
  if (bytes.size() > kPemBytesMax)
    throw std::runtime_error(label + ": the " + std::string(what) + " is larger than " +
                             std::to_string(kPemBytesMax) + " bytes; expected one PEM block");
  if (bytes.find("-----BEGIN ") == std::string_view::npos)
    throw std::runtime_error(label + ": the " + std::string(what) +
                             " is not PEM (no -----BEGIN line)");
}

std::string read_pem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the " + std::string(what));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_pem(bytes, path, what);
  return bytes;
}

struct DocFree {
  void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

struct CtxFree {
  void operator()(xmlSecDSigCtxPtr c) const { xmlSecDSigCtxDestroy(c); }
};
using CtxPtr = std::unique_ptr<xmlSecDSigCtx, CtxFree>;

struct KeyFree {
  void operator()(xmlSecKeyPtr k) const { xmlSecKeyDestroy(k); }
};
using KeyPtr = std::unique_ptr<xmlSecKey, KeyFree>;

// Untrusted input: no network, no entity substitution, libxml2's own messages off.
DocPtr parse(std::string_view bytes) {
  if (bytes.size() > kDocumentBytesMax) return nullptr;
  return DocPtr(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "document.xml",
                              nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

bool named(xmlNodePtr n, const char* local) {
  return n != nullptr && n->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

bool in_dsig(xmlNodePtr n) {
  return n->ns != nullptr && std::strcmp(reinterpret_cast<const char*>(n->ns->href), kDsigNs) == 0;
}

xmlNodePtr child_named(xmlNodePtr parent, const char* local) {
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next)
    if (named(c, local)) return c;
  return nullptr;
}

void find_signatures(xmlNodePtr n, std::vector<xmlNodePtr>& out) {
  for (; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (named(n, "Signature") && in_dsig(n)) {
      out.push_back(n);
      continue;
    }
    find_signatures(n->children, out);
  }
}

bool blank(const xmlChar* text) {
  for (const xmlChar* c = text; c != nullptr && *c != 0; ++c)
    if (*c != ' ' && *c != '\n' && *c != '\t' && *c != '\r') return false;
  return true;
}

// xmlsec's templates put a newline between elements and after base64 values; signxml writes
// none. Removes whitespace-only text and trailing newlines under `node`.
void strip_layout(xmlNodePtr node) {
  for (xmlNodePtr c = node->children; c != nullptr;) {
    xmlNodePtr next = c->next;
    if (c->type == XML_TEXT_NODE && blank(c->content)) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    } else if (c->type == XML_TEXT_NODE && c->content != nullptr) {
      std::string text(reinterpret_cast<const char*>(c->content));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      xmlNodeSetContent(c, BAD_CAST text.c_str());
    } else if (c->type == XML_ELEMENT_NODE) {
      strip_layout(c);
    }
    c = next;
  }
}

std::string dump(xmlDocPtr doc, xmlNodePtr node) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlNodeDump(buf, doc, node, 0, 0);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                  static_cast<std::size_t>(xmlBufferLength(buf)));
  xmlBufferFree(buf);
  return out;
}

SignResult sign_failure(std::string why) {
  SignResult r;
  r.error = std::move(why);
  return r;
}

}  // namespace

struct Signer::Impl {
  KeyPtr key;
};

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

Signer Signer::from_files(const std::string& key_path, const std::string& certificate_path) {
  auto key_pem = read_pem(key_path, "signing key");
  auto cert_pem = read_pem(certificate_path, "signing certificate");
  return load(key_pem, key_path, cert_pem, certificate_path);
}

Signer Signer::from_pem(std::string_view key_pem, std::string_view certificate_pem,
                        const std::string& label) {
  return load(key_pem, label, certificate_pem, label);
}

Signer Signer::load(std::string_view key_pem, const std::string& key_label,
                    std::string_view certificate_pem, const std::string& certificate_label) {
  ensure_initialised();
  last_xmlsec_error.clear();
  check_pem(key_pem, key_label, "signing key");
  check_pem(certificate_pem, certificate_label, "signing certificate");
  KeyPtr key(xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(key_pem.data()),
                                          static_cast<xmlSecSize>(key_pem.size()),
                                          xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr));
  if (!key)
    throw std::runtime_error(key_label + ": not an unencrypted PEM private key xmlsec can read (" +
                             last_xmlsec_error + ")");
  if (xmlSecCryptoAppKeyCertLoadMemory(
          key.get(), reinterpret_cast<const xmlSecByte*>(certificate_pem.data()),
          static_cast<xmlSecSize>(certificate_pem.size()), xmlSecKeyDataFormatPem) < 0)
    throw std::runtime_error(certificate_label + ": not a PEM certificate xmlsec can read (" +
                             last_xmlsec_error + ")");
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return Signer(std::move(impl));
}

SignResult Signer::sign(std::string_view document) const {
  last_xmlsec_error.clear();
  DocPtr doc = parse(document);
  if (!doc) return sign_failure("the document is not well-formed XML");
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return sign_failure("the document has no root element");

  // Where the signature goes, in the tree and in the caller's bytes.
  const bool ibag = named(root, "IBAG_Alert_Attributes");
  xmlNodePtr parent = root;
  std::string out(document);
  std::size_t at = std::string::npos;
  std::size_t replace = 0;
  std::string open_tag, close_tag;
  if (ibag) {
    parent = child_named(root, "IBAG_Digital_Signature");
    if (parent == nullptr || parent->children != nullptr)
      return sign_failure("an IBAG document needs an empty <IBAG_Digital_Signature> to carry "
                          "its signature");
    for (std::string_view form : {"<IBAG_Digital_Signature></IBAG_Digital_Signature>",
                                  "<IBAG_Digital_Signature/>"}) {
      at = out.find(form);
      if (at != std::string::npos) {
        replace = form.size();
        break;
      }
    }
    if (at == std::string::npos)
      return sign_failure("<IBAG_Digital_Signature> is not written as render() writes it");
    open_tag = "<IBAG_Digital_Signature>";
    close_tag = "</IBAG_Digital_Signature>";
  } else {
    at = out.rfind("</");
    if (at == std::string::npos) return sign_failure("the root element has no end tag");
  }

  xmlNodePtr signature =
      xmlSecTmplSignatureCreateNsPref(doc.get(), xmlSecTransformInclC14N11Id,
                                      xmlSecTransformRsaSha256Id, nullptr, BAD_CAST "ds");
  if (signature == nullptr) return sign_failure("xmlsec: " + last_xmlsec_error);
  xmlAddChild(parent, signature);
  xmlNodePtr ref = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr,
                                                   BAD_CAST "", nullptr);
  xmlNodePtr key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  xmlNodePtr x509 = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformInclC14N11Id) == nullptr ||
      x509 == nullptr || xmlSecTmplX509DataAddCertificate(x509) == nullptr)
    return sign_failure("xmlsec could not build the signature template: " + last_xmlsec_error);

  strip_layout(signature);

  CtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return sign_failure("xmlsec: " + last_xmlsec_error);
  ctx->signKey = xmlSecKeyDuplicate(impl_->key.get());
  if (ctx->signKey == nullptr || xmlSecDSigCtxSign(ctx.get(), signature) < 0)
    return sign_failure("xmlsec could not sign: " + last_xmlsec_error);
  // KeyInfo is outside what is signed, so the certificate's trailing newline can go too.
  strip_layout(key_info);

  std::string signed_part = open_tag + dump(doc.get(), signature) + close_tag;
  out.replace(at, replace, signed_part);
  SignResult r;
  r.ok = true;
  r.document = std::move(out);
  return r;
}

struct SignatureVerifier::Impl {
  KeyPtr key;
};

SignatureVerifier::SignatureVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SignatureVerifier::SignatureVerifier(SignatureVerifier&&) noexcept = default;
SignatureVerifier& SignatureVerifier::operator=(SignatureVerifier&&) noexcept = default;
SignatureVerifier::~SignatureVerifier() = default;

SignatureVerifier SignatureVerifier::from_file(const std::string& certificate_path) {
  return from_pem(read_pem(certificate_path, "certificate"), certificate_path);
}

SignatureVerifier SignatureVerifier::from_pem(std::string_view certificate_pem,
                                              const std::string& label) {
  ensure_initialised();
  last_xmlsec_error.clear();
  check_pem(certificate_pem, label, "certificate");
  KeyPtr key(
      xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(certificate_pem.data()),
                                   static_cast<xmlSecSize>(certificate_pem.size()),
                                   xmlSecKeyDataFormatCertPem, nullptr, nullptr, nullptr));
  if (!key)
    throw std::runtime_error(label + ": not a PEM certificate xmlsec can read (" +
                             last_xmlsec_error + ")");
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return SignatureVerifier(std::move(impl));
}

SignatureCheck SignatureVerifier::verify(std::string_view document) const {
  auto result = [](SignatureStatus s, std::string detail) {
    return SignatureCheck{s, std::move(detail)};
  };
  if (document.size() > kDocumentBytesMax)
    return result(SignatureStatus::malformed,
                  "larger than " + std::to_string(kDocumentBytesMax) + " bytes");
  DocPtr doc = parse(document);
  if (!doc) return result(SignatureStatus::malformed, "not well-formed XML");
  if (doc->intSubset != nullptr)
    return result(SignatureStatus::malformed, "has a DOCTYPE, which a signed document may not");
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  std::vector<xmlNodePtr> signatures;
  find_signatures(root, signatures);
  if (signatures.empty())
    return result(SignatureStatus::missing, "no ds:Signature element");
  if (signatures.size() > 1)
    return result(SignatureStatus::malformed,
                  std::to_string(signatures.size()) + " ds:Signature elements; expected one");
  xmlNodePtr signature = signatures.front();
  // Where emergency-alerts-utils puts it: last in <alert>, or inside <IBAG_Digital_Signature>.
  const bool ibag = named(root, "IBAG_Alert_Attributes");
  const bool placed = ibag ? (named(signature->parent, "IBAG_Digital_Signature") &&
                              signature->parent->parent == root)
                           : signature->parent == root;
  if (!placed)
    return result(SignatureStatus::malformed,
                  ibag ? "the signature is not inside <IBAG_Digital_Signature>"
                       : "the signature is not a child of the root element");
  // One reference, to the whole document: a signature over part of it proves nothing about the
  // rest.
  xmlNodePtr signed_info = xmlSecFindChild(signature, xmlSecNodeSignedInfo, xmlSecDSigNs);
  int references = 0;
  bool whole = true;
  if (signed_info != nullptr)
    for (xmlNodePtr c = signed_info->children; c != nullptr; c = c->next)
      if (named(c, "Reference") && in_dsig(c)) {
        ++references;
        xmlChar* uri = xmlGetProp(c, BAD_CAST "URI");
        whole = whole && uri != nullptr && uri[0] == '\0';
        xmlFree(uri);
      }
  if (references != 1 || !whole)
    return result(SignatureStatus::malformed,
                  "the signature must have one Reference with URI=\"\" (the whole document)");

  CtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return result(SignatureStatus::invalid, "xmlsec: " + last_xmlsec_error);
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  ctx->signKey = xmlSecKeyDuplicate(impl_->key.get());
  last_xmlsec_error.clear();
  if (ctx->signKey == nullptr || xmlSecDSigCtxVerify(ctx.get(), signature) < 0)
    return result(SignatureStatus::invalid,
                  "the signature could not be checked: " + last_xmlsec_error);
  if (ctx->status != xmlSecDSigStatusSucceeded)
    return result(SignatureStatus::invalid,
                  "the signature does not match the document and the configured certificate");
  return result(SignatureStatus::valid, "signed with the configured certificate's key");
}

std::string_view to_string(SignatureStatus status) noexcept {
  switch (status) {
    case SignatureStatus::valid:
      return "valid";
    case SignatureStatus::missing:
      return "missing";
    case SignatureStatus::invalid:
      return "invalid";
    case SignatureStatus::malformed:
      return "malformed";
  }
  return "invalid";
}

}  // namespace notify::broadcast
