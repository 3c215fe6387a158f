#include "maildiag/smtp/command.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::smtp {

namespace {

// RFC 5321 §4.3.2 (expected replies) and RFC 2920 §3.1 (which commands may be followed in a
// pipelined group: RSET, MAIL, RCPT; EHLO, DATA, VRFY, EXPN, NOOP, QUIT and AUTH end a group).
constexpr std::array<ReplyShape, 17> kShapes{{
    {Verb::none, "<none>", {220, 0, 0}, false},
    {Verb::ehlo, "EHLO", {250, 0, 0}, false},
    {Verb::helo, "HELO", {250, 0, 0}, false},
    {Verb::starttls, "STARTTLS", {220, 0, 0}, false},
    {Verb::auth, "AUTH", {235, 334, 0}, false},
    {Verb::auth_response, "<sasl>", {235, 334, 0}, false},
    {Verb::mail, "MAIL", {250, 0, 0}, true},
    {Verb::rcpt, "RCPT", {250, 251, 0}, true},
    {Verb::data, "DATA", {354, 0, 0}, false},
    {Verb::message, "<message>", {250, 0, 0}, true},
    {Verb::rset, "RSET", {250, 0, 0}, true},
    {Verb::noop, "NOOP", {250, 0, 0}, false},
    {Verb::vrfy, "VRFY", {250, 251, 252}, false},
    {Verb::expn, "EXPN", {250, 252, 0}, false},
    {Verb::help, "HELP", {211, 214, 0}, false},
    {Verb::quit, "QUIT", {221, 0, 0}, false},
    {Verb::other, "<command>", {0, 0, 0}, false},
}};

constexpr std::size_t kMaxLine = 64 * 1024;  // our own lines; long only for OAuth tokens

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

template <typename T>
std::optional<T> fail(CommandError* err, std::string msg) {
  if (err != nullptr) err->message = std::move(msg);
  return std::nullopt;
}

Command make(Verb v, std::string line, std::string display) {
  Command c;
  c.verb = v;
  c.wire = line + "\r\n";
  c.display = std::move(display);
  return c;
}

Command make(Verb v, std::string line) {
  std::string display = line;
  return make(v, std::move(line), std::move(display));
}

/// An address fit for "<...>": no line breaks, no angle brackets, spaces only in a quoted local part.
bool check_address(std::string_view a, CommandError* err) {
  if (has_line_break(a)) {
    if (err != nullptr) err->message = "address contains a line break or NUL: refused (it would inject commands)";
    return false;
  }
  if (a.find_first_of("<>") != std::string_view::npos) {
    if (err != nullptr) err->message = "address \"" + util::sanitize(a, 80) + "\" must be given without < >";
    return false;
  }
  if (a.find(' ') != std::string_view::npos && (a.empty() || a.front() != '"')) {
    if (err != nullptr) err->message = "address \"" + util::sanitize(a, 80) + "\" contains a space";
    return false;
  }
  if (a.size() > 1000) {
    if (err != nullptr) err->message = "address is longer than 1000 bytes";
    return false;
  }
  return true;
}

std::optional<Command> hello(Verb v, std::string_view word, std::string_view domain, CommandError* err) {
  if (domain.empty() || has_line_break(domain) || domain.find(' ') != std::string_view::npos)
    return fail<Command>(err, std::string(word) + " needs one domain or address literal without spaces");
  return make(v, std::string(word) + " " + std::string(domain));
}

Verb verb_of(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, Verb>, 12> kWords{{
      {"EHLO", Verb::ehlo}, {"HELO", Verb::helo}, {"STARTTLS", Verb::starttls}, {"AUTH", Verb::auth},
      {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt}, {"DATA", Verb::data}, {"RSET", Verb::rset},
      {"NOOP", Verb::noop}, {"VRFY", Verb::vrfy}, {"EXPN", Verb::expn}, {"QUIT", Verb::quit},
  }};
  for (const auto& [w, v] : kWords) {
    if (util::iequals(word, w)) return v;
  }
  if (util::iequals(word, "HELP")) return Verb::help;
  return Verb::other;
}

}  // namespace

const ReplyShape& shape(Verb v) {
  for (const auto& s : kShapes) {
    if (s.verb == v) return s;
  }
  return kShapes.back();
}

bool expects(Verb v, int code) {
  const auto& s = shape(v);
  if (s.codes[0] == 0) return code >= 200 && code < 400;
  for (int c : s.codes) {
    if (c != 0 && c == code) return true;
  }
  return false;
}

std::string_view to_string(Verb v) { return shape(v).name; }

std::optional<Command> ehlo(std::string_view domain, CommandError* err) {
  return hello(Verb::ehlo, "EHLO", domain, err);
}

std::optional<Command> helo(std::string_view domain, CommandError* err) {
  return hello(Verb::helo, "HELO", domain, err);
}

Command starttls() { return make(Verb::starttls, "STARTTLS"); }

std::optional<Command> auth(std::string_view mechanism, std::optional<std::string_view> initial_response,
                            CommandError* err) {
  if (mechanism.empty() || has_line_break(mechanism) || mechanism.find(' ') != std::string_view::npos)
    return fail<Command>(err, "AUTH needs one mechanism name");
  std::string line = "AUTH " + util::to_upper(mechanism);
  std::string display = line;
  if (initial_response) {
    if (has_line_break(*initial_response)) return fail<Command>(err, "SASL response contains a line break");
    if (initial_response->empty()) {
      line += " =";  // RFC 4954 §4: an empty initial response is sent as "="
      display += " =";
    } else {
      line += " " + std::string(*initial_response);
      display += " <redacted>";
    }
  }
  auto cmd = make(Verb::auth, std::move(line), std::move(display));
  const auto mech = util::to_upper(mechanism);
  cmd.may_be_followed = initial_response.has_value() && (mech == "PLAIN" || mech == "EXTERNAL");
  return cmd;
}

std::optional<Command> auth_response(std::string_view line, CommandError* err) {
  if (has_line_break(line)) return fail<Command>(err, "SASL response contains a line break");
  if (line.size() > kMaxLine) return fail<Command>(err, "SASL response is longer than 64 KiB");
  return make(Verb::auth_response, std::string(line), line.empty() ? std::string() : std::string("<redacted>"));
}

Command auth_cancel() { return make(Verb::auth_response, "*"); }

std::optional<Command> mail_from(std::string_view address, const MailParams& p, CommandError* err) {
  if (!check_address(address, err)) return std::nullopt;
  std::string line = "MAIL FROM:<" + std::string(address) + ">";
  if (p.size) line += " SIZE=" + std::to_string(*p.size);
  if (p.body) {
    if (has_line_break(*p.body) || p.body->find(' ') != std::string::npos)
      return fail<Command>(err, "bad BODY value");
    line += " BODY=" + *p.body;
  }
  if (p.smtputf8) line += " SMTPUTF8";
  if (p.ret) {
    if (!util::iequals(*p.ret, "FULL") && !util::iequals(*p.ret, "HDRS"))
      return fail<Command>(err, "RET must be FULL or HDRS");
    line += util::iequals(*p.ret, "FULL") ? " RET=FULL" : " RET=HDRS";
  }
  if (p.envid) {
    if (p.envid->empty() || p.envid->size() > 100) return fail<Command>(err, "ENVID must be 1-100 characters");
    line += " ENVID=" + xtext(*p.envid);
  }
  if (p.requiretls) line += " REQUIRETLS";
  return make(Verb::mail, std::move(line));
}

std::optional<Command> rcpt_to(std::string_view address, const RcptParams& p, CommandError* err) {
  if (!check_address(address, err)) return std::nullopt;
  if (address.empty()) return fail<Command>(err, "RCPT TO needs an address");
  std::string line = "RCPT TO:<" + std::string(address) + ">";
  if (!p.notify.empty()) {
    std::string list;
    bool never = false;
    for (const auto& n : p.notify) {
      const std::string up = util::to_upper(n);
      if (up != "NEVER" && up != "SUCCESS" && up != "FAILURE" && up != "DELAY")
        return fail<Command>(err, "NOTIFY values are NEVER or SUCCESS, FAILURE, DELAY (got \"" +
                                      util::sanitize(n, 40) + "\")");
      never = never || up == "NEVER";
      list += (list.empty() ? "" : ",") + up;
    }
    if (never && p.notify.size() > 1) return fail<Command>(err, "NOTIFY=NEVER cannot be combined with other values");
    line += " NOTIFY=" + list;
  }
  if (p.orcpt) {
    if (!check_address(*p.orcpt, err)) return std::nullopt;
    // RFC 6533 utf-8-addr-xtext is not used: non-ASCII is kept as the utf-8 type when SMTPUTF8 applies.
    line += needs_smtputf8(*p.orcpt) ? " ORCPT=utf-8;" + std::string(*p.orcpt) : " ORCPT=rfc822;" + xtext(*p.orcpt);
  }
  return make(Verb::rcpt, std::move(line));
}

Command data() { return make(Verb::data, "DATA"); }
Command rset() { return make(Verb::rset, "RSET"); }
Command noop() { return make(Verb::noop, "NOOP"); }
Command quit() { return make(Verb::quit, "QUIT"); }

std::optional<Command> raw(std::string_view line, CommandError* err) {
  if (has_line_break(line)) return fail<Command>(err, "a command is one line");
  if (line.size() > kMaxLine) return fail<Command>(err, "command is longer than 64 KiB");
  const auto sp = line.find(' ');
  const auto word = line.substr(0, sp);
  const Verb v = verb_of(word);
  if (v == Verb::auth && sp != std::string_view::npos) {
    const auto rest = util::trim(line.substr(sp + 1));
    const auto sp2 = rest.find(' ');
    if (sp2 != std::string_view::npos) {
      auto cmd = auth(rest.substr(0, sp2), util::trim(rest.substr(sp2 + 1)), err);
      if (!cmd) return std::nullopt;
      cmd->wire = std::string(line) + "\r\n";  // as typed
      cmd->display = std::string(word) + " " + std::string(rest.substr(0, sp2)) + " <redacted>";
      return cmd;
    }
  }
  return make(v, std::string(line));
}

std::string xtext(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 33 || b > 126 || b == '+' || b == '=') {
      out += '+';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

bool needs_smtputf8(std::string_view address) {
  for (char ch : address) {
    if (static_cast<unsigned char>(ch) >= 0x80) return true;
  }
  return false;
}

}  // namespace maildiag::smtp
