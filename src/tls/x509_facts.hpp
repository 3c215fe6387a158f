#pragma once
// tls-private: facts and verdicts from OpenSSL objects (the only place that reads X509 fields).

#include "maildiag/tls/report.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

namespace maildiag::tls::detail {

/// The OpenSSL error queue as one line (drained), or fallback when empty.
std::string openssl_errors(std::string_view fallback);

CertInfo cert_info(X509* cert);

/// Chain verdict: the presented chain against the store, purpose TLS server, without the clock.
Verdict chain_verdict(X509_STORE* store, X509* leaf, STACK_OF(X509)* presented);
/// Name verdict against acceptable names (IP literals match IP SANs); sets matched.
Verdict name_verdict(X509* leaf, const std::vector<std::string>& names, std::string* matched);
/// Expiry verdict over the presented chain (leaf first).
Verdict expiry_verdict(STACK_OF(X509)* presented, X509* leaf, int warn_days);

}  // namespace maildiag::tls::detail
