#pragma once
// Throwaway certificates for tests, made with OpenSSL APIs (no files, no openssl(1)):
// a CA, leaves signed by it with chosen names and validity, self-signed certificates, and
// TLSA "3 1 1" data for DANE. Header-only so unit and integration tests can share it.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace maildiag::test {

struct TestCert {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
  [[nodiscard]] std::string cert_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> b(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(b.get(), cert.get());
    return read_bio(b.get());
  }
  [[nodiscard]] std::string key_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> b(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(b.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return read_bio(b.get());
  }
  /// SHA-256 of the SubjectPublicKeyInfo: the data of a "3 1 1" TLSA record.
  [[nodiscard]] std::vector<std::uint8_t> spki_sha256() const {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
    std::vector<std::uint8_t> md(32);
    unsigned int mdlen = 0;
    EVP_Digest(der, static_cast<std::size_t>(len), md.data(), &mdlen, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    return md;
  }
  static std::string read_bio(BIO* b) {
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(b, &mem);
    return std::string(mem->data, mem->length);
  }
};

struct CertSpec {
  std::string cn = "mx.test";
  std::vector<std::string> sans = {"DNS:mx.test"};  ///< "DNS:x", "IP:127.0.0.1"
  long valid_from_days = -1;                        ///< relative to now
  long valid_to_days = 365;
  bool ca = false;
};

inline std::shared_ptr<EVP_PKEY> make_key() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (k == nullptr) throw std::runtime_error("keygen failed");
  return {k, EVP_PKEY_free};
}

/// Issues a certificate; issuer == nullptr makes it self-signed.
inline TestCert make_cert(const CertSpec& spec, const TestCert* issuer = nullptr) {
  static long serial = 1000;
  TestCert out;
  out.key = make_key();
  out.cert = std::shared_ptr<X509>(X509_new(), X509_free);
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(x), spec.valid_from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x), spec.valid_to_days * 86400);
  X509_set_pubkey(x, out.key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer->cert.get()) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer->cert.get() : x, x, nullptr, nullptr, 0);
  auto add_ext = [&](int nid, const std::string& value) {
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (e == nullptr) throw std::runtime_error("bad extension " + value);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  };
  add_ext(NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_ext(NID_subject_key_identifier, "hash");
  if (spec.ca) {
    add_ext(NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(NID_ext_key_usage, "serverAuth");
  }
  if (!spec.sans.empty()) {
    std::string list;
    for (const auto& s : spec.sans) list += (list.empty() ? "" : ",") + s;
    add_ext(NID_subject_alt_name, list);
  }
  X509_sign(x, issuer != nullptr ? issuer->key.get() : out.key.get(), EVP_sha256());
  return out;
}

inline TestCert make_ca(const std::string& cn = "maildiag test CA") {
  CertSpec s;
  s.cn = cn;
  s.sans = {};
  s.ca = true;
  s.valid_to_days = 3650;
  return make_cert(s);
}

/// Writes text to a file under /tmp and returns the path (for --ca-file style options).
inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/maildiag-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace maildiag::test
