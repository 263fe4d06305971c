// notify-sim's built-in test key pair, made in process from a fixed seed so that every process
// gets the same PEM bytes: scenarios can sign and verify without naming a key file, and two runs
// of one scenario stay identical byte for byte. The key is public by construction; it signs test
// and demo documents only.
#include "notify/broadcast/sign.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

namespace notify::broadcast {
namespace {

// The seed is "notify-s" in ASCII. Changing it, or the way candidates are drawn, changes the key
// and with it every signed document the catalogue journals.
constexpr std::uint64_t kSeed = 0x6e6f746966792d73;
constexpr int kPrimeBits = 1024;  // two of them make an RSA-2048 modulus
constexpr unsigned long kPublicExponent = 65537;
// About one odd 1024-bit number in 355 is prime; a search this long means the code is wrong.
constexpr int kCandidatesMax = 100'000;
constexpr const char* kSubject = "notify-sim test signer (public, not a secret)";
constexpr const char* kNotBefore = "20200101000000Z";
constexpr const char* kNotAfter = "21200101000000Z";

// SplitMix64 (Steele, Lea and Flood): small, and fixed here rather than borrowed from a library
// whose stream might change between versions.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;

[[noreturn]] void fail(const char* step) {
  throw std::runtime_error(std::string(kTestPairLabel) + ": OpenSSL could not " + step);
}

void check(bool ok, const char* step) {
  if (!ok) fail(step);
}

BnPtr bn() {
  BnPtr b(BN_new());
  check(b != nullptr, "allocate a number");
  return b;
}

// The first candidate BN_check_prime accepts whose p-1 is coprime with e. Each candidate has its
// top two bits set, so the product of two is exactly 2048 bits, and its low bit, so it is odd.
BnPtr draw_prime(SplitMix64& rng, const BIGNUM* e, BN_CTX* ctx) {
  std::array<unsigned char, kPrimeBits / 8> bytes{};
  BnPtr candidate = bn();
  BnPtr minus_one = bn();
  BnPtr gcd = bn();
  for (int n = 0; n < kCandidatesMax; ++n) {
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const std::uint64_t v = rng.next();
      for (std::size_t b = 0; b < 8; ++b)
        bytes[i + b] = static_cast<unsigned char>(v >> (56 - 8 * b));
    }
    bytes.front() |= 0xc0;
    bytes.back() |= 0x01;
    check(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), candidate.get()) != nullptr,
          "read a candidate prime");
    const int prime = BN_check_prime(candidate.get(), ctx, nullptr);
    check(prime >= 0, "test a candidate prime");
    if (prime == 0) continue;
    check(BN_sub(minus_one.get(), candidate.get(), BN_value_one()) == 1 &&
              BN_gcd(gcd.get(), minus_one.get(), e, ctx) == 1,
          "compute gcd(p - 1, e)");
    if (BN_is_one(gcd.get())) return candidate;
  }
  fail("find a prime in the seeded candidates");
}

PkeyPtr make_key() {
  BnCtxPtr ctx(BN_CTX_new());
  check(ctx != nullptr, "allocate a BN_CTX");
  BnPtr e = bn();
  check(BN_set_word(e.get(), kPublicExponent) == 1, "set e");
  SplitMix64 rng(kSeed);
  BnPtr p = draw_prime(rng, e.get(), ctx.get());
  BnPtr q = draw_prime(rng, e.get(), ctx.get());
  while (BN_cmp(p.get(), q.get()) == 0) q = draw_prime(rng, e.get(), ctx.get());
  // PKCS#1 lists the larger prime first; the coefficient is q^-1 mod p.
  if (BN_cmp(p.get(), q.get()) < 0) std::swap(p, q);

  BnPtr n = bn(), p1 = bn(), q1 = bn(), gcd = bn(), phi = bn(), lambda = bn(), d = bn();
  BnPtr dmp1 = bn(), dmq1 = bn(), iqmp = bn();
  check(BN_mul(n.get(), p.get(), q.get(), ctx.get()) == 1, "compute n");
  check(BN_sub(p1.get(), p.get(), BN_value_one()) == 1 &&
            BN_sub(q1.get(), q.get(), BN_value_one()) == 1,
        "compute p - 1 and q - 1");
  // d = e^-1 mod lcm(p - 1, q - 1), the smallest private exponent (FIPS 186-4, B.3.1).
  check(BN_gcd(gcd.get(), p1.get(), q1.get(), ctx.get()) == 1 &&
            BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()) == 1 &&
            BN_div(lambda.get(), nullptr, phi.get(), gcd.get(), ctx.get()) == 1,
        "compute lcm(p - 1, q - 1)");
  check(BN_mod_inverse(d.get(), e.get(), lambda.get(), ctx.get()) != nullptr, "compute d");
  check(BN_mod(dmp1.get(), d.get(), p1.get(), ctx.get()) == 1 &&
            BN_mod(dmq1.get(), d.get(), q1.get(), ctx.get()) == 1,
        "compute the CRT exponents");
  check(BN_mod_inverse(iqmp.get(), q.get(), p.get(), ctx.get()) != nullptr,
        "compute the CRT coefficient");

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  check(bld != nullptr, "allocate a parameter builder");
  const std::pair<const char*, const BIGNUM*> parts[] = {
      {OSSL_PKEY_PARAM_RSA_N, n.get()},
      {OSSL_PKEY_PARAM_RSA_E, e.get()},
      {OSSL_PKEY_PARAM_RSA_D, d.get()},
      {OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()},
      {OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()},
      {OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()},
      {OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()},
      {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get()}};
  for (const auto& part : parts)
    check(OSSL_PARAM_BLD_push_BN(bld.get(), part.first, part.second) == 1, "add an RSA parameter");
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  check(params != nullptr, "build the RSA parameters");
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  check(pctx != nullptr && EVP_PKEY_fromdata_init(pctx.get()) == 1, "start an RSA key");
  EVP_PKEY* raw = nullptr;
  check(EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) == 1,
        "make the RSA key");
  PkeyPtr key(raw);
  PkeyCtxPtr check_ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  check(check_ctx != nullptr && EVP_PKEY_check(check_ctx.get()) == 1,
        "confirm the RSA key is consistent");
  return key;
}

X509Ptr make_certificate(EVP_PKEY* key) {
  X509Ptr x(X509_new());
  check(x != nullptr, "allocate a certificate");
  check(X509_set_version(x.get(), X509_VERSION_3) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1) == 1,
        "set the certificate's version and serial");
  X509_NAME* name = X509_get_subject_name(x.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(kSubject), -1, -1,
                                   0) == 1 &&
            X509_set_issuer_name(x.get(), name) == 1,
        "name the certificate's subject and issuer");
  // ASN1_TIME_set_string_X509 writes UTCTime before 2050 and GeneralizedTime after, as RFC 5280
  // requires.
  check(ASN1_TIME_set_string_X509(X509_getm_notBefore(x.get()), kNotBefore) == 1 &&
            ASN1_TIME_set_string_X509(X509_getm_notAfter(x.get()), kNotAfter) == 1,
        "set the certificate's validity");
  check(X509_set_pubkey(x.get(), key) == 1, "put the public key in the certificate");
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                                                    {NID_key_usage, "critical,digitalSignature"},
                                                    {NID_subject_key_identifier, "hash"}};
  for (const auto& [nid, value] : extensions) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
    check(ext != nullptr && X509_add_ext(x.get(), ext.get(), -1) == 1,
          "add a certificate extension");
  }
  // RSA PKCS#1 v1.5 signatures are deterministic, so the certificate's bytes are too.
  check(X509_sign(x.get(), key, EVP_sha256()) > 0, "sign the certificate");
  return x;
}

template <typename Write>
std::string pem(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr && write(bio.get()) == 1, "write PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  check(size > 0 && data != nullptr, "read back the PEM");
  return std::string(data, static_cast<std::size_t>(size));
}

TestPair make_test_pair() {
  PkeyPtr key = make_key();
  X509Ptr certificate = make_certificate(key.get());
  TestPair pair;
  // An unencrypted PKCS#8 "PRIVATE KEY", as `openssl req -nodes` writes.
  pair.key_pem = pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  pair.certificate_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, certificate.get()); });
  return pair;
}

}  // namespace

const TestPair& test_pair() {
  // Made once per process, on first use (about a tenth of a second); C++ makes the
  // initialisation thread-safe.
  static const TestPair pair = make_test_pair();
  return pair;
}

}  // namespace notify::broadcast
