#include "x509_facts.hpp"

#include "maildiag/net/address.hpp"
#include "maildiag/util/text.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace maildiag::tls::detail {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string bio_text(BIO* b) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(b, &mem);
  if (mem == nullptr || mem->data == nullptr) return {};
  return std::string(mem->data, mem->length);
}

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(b.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return util::sanitize(bio_text(b.get()), 512);
}

std::string iso_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Whole days from now to t, rounded towards minus infinity (an hour past expiry is -1).
long days_until(const ASN1_TIME* t) {
  int day = 0;
  int sec = 0;
  if (t == nullptr || ASN1_TIME_diff(&day, &sec, nullptr, t) != 1) return 0;
  return static_cast<long>(day) - ((day < 0 || sec < 0) && sec != 0 ? 1 : 0);
}

/// Whole days since t (a past time), at least 1: "expired ... (2 days ago)" two days and some
/// seconds after the expiry, where days_until would say -3.
long days_since(const ASN1_TIME* t) {
  int day = 0;
  int sec = 0;
  if (t == nullptr || ASN1_TIME_diff(&day, &sec, t, nullptr) != 1) return 1;
  return std::max(1L, static_cast<long>(day));
}

std::string key_type(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_DSA: return "DSA";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) return "EC (" + std::string(group) + ")";
      return "EC";
    }
    default: {
      const char* n = EVP_PKEY_get0_type_name(key);
      return n != nullptr ? n : "unknown";
    }
  }
}

std::string hex_colon(const unsigned char* d, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    if (i != 0) s += ':';
    s += kHex[d[i] >> 4];
    s += kHex[d[i] & 0xf];
  }
  return s;
}

std::vector<std::string> sans_of(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  const int n = sk_GENERAL_NAME_num(names);
  for (int i = 0; i < n && out.size() < 200; ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      const auto* s = g->d.dNSName;
      out.push_back("DNS:" + util::sanitize(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                             static_cast<std::size_t>(ASN1_STRING_length(s))),
                                            256));
    } else if (g->type == GEN_IPADD) {
      const auto* s = g->d.iPAddress;
      const auto len = ASN1_STRING_length(s);
      const auto* d = ASN1_STRING_get0_data(s);
      std::string text = "?";
      if (len == 4 || len == 16) {
        std::string lit;
        if (len == 4) {
          lit = std::to_string(d[0]) + "." + std::to_string(d[1]) + "." + std::to_string(d[2]) + "." +
                std::to_string(d[3]);
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          for (int k = 0; k < 16; k += 2) {
            if (k != 0) lit += ':';
            for (int j = k; j < k + 2; ++j) {
              lit += kHex[d[j] >> 4];
              lit += kHex[d[j] & 0xf];
            }
          }
        }
        if (auto a = net::Address::parse(lit)) text = a->to_string();
      }
      out.push_back("IP:" + text);
    } else if (g->type == GEN_EMAIL) {
      const auto* s = g->d.rfc822Name;
      out.push_back("email:" + util::sanitize(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                               static_cast<std::size_t>(ASN1_STRING_length(s))),
                                              256));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

std::string openssl_errors(std::string_view fallback) {
  std::string out;
  unsigned long e = 0;
  int n = 0;
  while ((e = ERR_get_error()) != 0) {
    if (n++ >= 4) continue;  // drain the rest
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason != nullptr ? reason : buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

CertInfo cert_info(X509* cert) {
  CertInfo c;
  c.subject = name_text(X509_get_subject_name(cert));
  c.issuer = name_text(X509_get_issuer_name(cert));
  c.sans = sans_of(cert);
  c.not_before = iso_time(X509_get0_notBefore(cert));
  c.not_after = iso_time(X509_get0_notAfter(cert));
  c.days_left = days_until(X509_get0_notAfter(cert));
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    c.key_type = key_type(key);
    c.key_bits = EVP_PKEY_get_bits(key);
  }
  const int sig = X509_get_signature_nid(cert);
  if (sig != NID_undef) c.signature_algorithm = OBJ_nid2ln(sig);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) c.sha256 = hex_colon(md, mdlen);
  c.self_signed = X509_self_signed(cert, 1) == 1;
  ERR_clear_error();
  return c;
}

Verdict chain_verdict(X509_STORE* store, X509* leaf, STACK_OF(X509)* presented) {
  if (leaf == nullptr) return {VerdictStatus::not_checked, "no certificate presented", "tls.reason.no-cert"};
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, presented) != 1) {
    const std::string why = openssl_errors("out of memory");
    return {VerdictStatus::fail, "cannot verify: " + why, "tls.reason.cannot-verify", {why}};
  }
  X509_STORE_CTX_set_default(ctx.get(), "ssl_server");
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_NO_CHECK_TIME);
  const int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  const int depth = built != nullptr ? sk_X509_num(built) : 0;
  if (ok == 1) {
    X509* root = depth > 0 ? sk_X509_value(built, depth - 1) : leaf;
    const std::string n = std::to_string(depth);
    const std::string to = name_text(X509_get_subject_name(root));
    return {VerdictStatus::pass, "trusted chain of " + n + " to " + to, "tls.reason.trusted", {n, to}};
  }
  const int err = X509_STORE_CTX_get_error(ctx.get());
  const int at = X509_STORE_CTX_get_error_depth(ctx.get());
  const std::string why(X509_verify_cert_error_string(err));  // OpenSSL's words stay as they are
  return {VerdictStatus::fail, why + " (at depth " + std::to_string(at) + ")", "tls.reason.at-depth",
          {why, std::to_string(at)}};
}

Verdict name_verdict(X509* leaf, const std::vector<std::string>& names, std::string* matched) {
  if (leaf == nullptr) return {VerdictStatus::not_checked, "no certificate presented", "tls.reason.no-cert"};
  if (names.empty()) return {VerdictStatus::not_checked, "no name to check against", "tls.reason.no-name"};
  for (const auto& n : names) {
    int rc = 0;
    if (auto a = net::Address::parse(n)) {
      rc = X509_check_ip_asc(leaf, a->to_string().c_str(), 0);
    } else {
      rc = X509_check_host(leaf, n.data(), n.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr);
    }
    if (rc == 1) {
      *matched = n;
      const std::string shown = util::sanitize(n, 256);
      return {VerdictStatus::pass, "certificate matches " + shown, "tls.reason.name-matches", {shown}};
    }
  }
  ERR_clear_error();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + util::sanitize(n, 256);
  return {VerdictStatus::fail, "certificate does not match " + list, "tls.reason.name-mismatch", {list}};
}

Verdict expiry_verdict(STACK_OF(X509)* presented, X509* leaf, int warn_days) {
  if (leaf == nullptr) return {VerdictStatus::not_checked, "no certificate presented", "tls.reason.no-cert"};
  const int n = presented != nullptr ? sk_X509_num(presented) : 0;
  for (int i = 0; i < std::max(n, 1); ++i) {
    X509* c = n > 0 ? sk_X509_value(presented, i) : leaf;
    const std::string which = i == 0 ? "certificate" : "chain certificate at depth " + std::to_string(i);
    // The ids: "tls.reason.<leaf|chain>.<what>"; a chain certificate's first argument is its depth.
    const std::string id = i == 0 ? "tls.reason.leaf." : "tls.reason.chain.";
    std::vector<std::string> args;
    if (i != 0) args.push_back(std::to_string(i));
    if (X509_cmp_current_time(X509_get0_notBefore(c)) > 0) {
      const std::string from = iso_time(X509_get0_notBefore(c));
      args.push_back(from);
      return {VerdictStatus::fail, which + " is not valid before " + from, id + "not-yet-valid", args};
    }
    if (X509_cmp_current_time(X509_get0_notAfter(c)) < 0) {
      const long ago = days_since(X509_get0_notAfter(c));
      const std::string on = iso_time(X509_get0_notAfter(c));
      args.push_back(on);
      args.push_back(std::to_string(ago));
      return {VerdictStatus::fail,
              which + " expired on " + on + " (" + std::to_string(ago) + (ago == 1 ? " day" : " days") + " ago)",
              id + (ago == 1 ? "expired.one" : "expired.many"), args};
    }
  }
  const long left = days_until(X509_get0_notAfter(leaf));
  const std::string until = iso_time(X509_get0_notAfter(leaf));
  const std::string when = "expires " + until + " (" + std::to_string(left) + (left == 1 ? " day" : " days") + " left)";
  const std::string one_or_many = left == 1 ? "one" : "many";
  if (left < warn_days)
    return {VerdictStatus::warn, when + ", less than " + std::to_string(warn_days) + " days",
            "tls.reason.expires-soon." + one_or_many, {until, std::to_string(left), std::to_string(warn_days)}};
  return {VerdictStatus::pass, when, "tls.reason.expires." + one_or_many, {until, std::to_string(left)}};
}

}  // namespace maildiag::tls::detail
