#pragma once
/// Turns the facts of an smtp-test session into the report's tables (text view) and its `data`
/// object (JSON): session summary, capabilities before/after TLS, TLS, recipients, message.

#include "maildiag/app/smtp_dialog.hpp"
#include "maildiag/app/smtp_target.hpp"
#include "maildiag/report/report.hpp"

#include <nlohmann/json.hpp>

namespace maildiag::app {

/// Where the session went: the host and the address that answered.
struct SmtpEndpoint {
  std::string host;
  std::uint16_t port = 25;
  std::string address;   ///< "127.0.0.1:25", empty when no connection was made
  bool from_mx = false;
  TlsaLookup tlsa;
};

void add_smtp_sections(report::Report& rep, const SmtpTestOptions& options, const SmtpEndpoint& endpoint,
                       const SmtpFacts& facts);
nlohmann::json smtp_data(const SmtpTestOptions& options, const SmtpEndpoint& endpoint, const SmtpFacts& facts);
nlohmann::json to_json(const smtp::Capabilities& caps);
/// {"code", "enhanced", "text", "lines", "classification"} of a reply (text sanitised).
nlohmann::json reply_json(const codes::Reply& r, bool classify = true);

}  // namespace maildiag::app
