#pragma once
// app-private: the pop3-test policy, one step per method: greeting, CAPA, STLS, login, the
// read-only mailbox look (pop3_mailbox.cpp) and QUIT. Each step records findings, transcript
// lines and `data` in the Report; a step returning false ends the dialog.

#include "pop3_imap_link.hpp"

#include "maildiag/app/pop3_test.hpp"
#include "maildiag/pop3/client.hpp"
#include "maildiag/pop3/parse.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::app::pop3_test {

class Dialog {
 public:
  Dialog(const Pop3TestOptions& options, report::Report& rep, link::Link& link, std::optional<std::string> password);

  /// Runs every step (after link.open() succeeded).
  void run();

 private:
  const Pop3TestOptions& opt_;
  report::Report& rep_;
  link::Link& link_;
  std::optional<std::string> password_;
  pop3::Client client_;
  std::optional<pop3::Capabilities> caps_;     // latest CAPA (nullopt: not supported)
  std::optional<pop3::Capabilities> plain_caps_;  // CAPA before TLS (plaintext connection)
  std::optional<std::string> apop_stamp_;
  bool failed_ = false;                        // the dialog broke (protocol error, timeout)

  // pop3_test.cpp
  bool greeting();
  bool capa();
  bool starttls();
  bool login();
  void check_plaintext_offer();
  void quit();
  void finish_cut_reply();
  void summary();
  std::optional<pop3::event::Response> command(const pop3::Command& cmd, std::string_view shown = {});
  std::optional<pop3::event::Response> await_response(std::string_view waiting_for);
  void log_response(const pop3::event::Response& r);
  void protocol_error(const pop3::event::ProtocolError& e, std::string_view during);
  std::string choose_auth() const;
  std::optional<pop3::event::Response> send_login(const std::string& method);
  void login_failed(const pop3::event::Response& r, const std::string& method);

  // pop3_mailbox.cpp
  void mailbox();
  std::optional<pop3::Maildrop> stat();
  /// LIST or UIDL as a table; title_id and column_id are catalog ids.
  void listing(const char* verb, std::string_view title_id, std::string_view column_id);
  void top(std::uint64_t n);
  void retr(std::uint64_t n);
};

/// Hex MD5 of stamp + password (RFC 1939 §7 APOP), through OpenSSL.
std::string apop_digest(std::string_view stamp, std::string_view password);

}  // namespace maildiag::app::pop3_test
