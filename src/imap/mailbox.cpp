#include "maildiag/imap/mailbox.hpp"

#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::imap {

namespace {

std::optional<std::uint64_t> code_number(const ResponseCode& code) {
  const auto n = util::parse_uint(util::trim(code.args));
  if (!n) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

std::vector<std::string> list_atoms(const Value& v) {
  std::vector<std::string> out;
  for (const auto& item : v.items) {
    if (item.type == Value::Type::atom) out.push_back(item.text);
  }
  return out;
}

std::vector<std::string> paren_words(std::string_view args) {
  args = util::trim(args);
  if (!args.empty() && args.front() == '(') args.remove_prefix(1);
  if (!args.empty() && args.back() == ')') args.remove_suffix(1);
  std::vector<std::string> out;
  for (auto w : util::split(args, ' ')) {
    if (!w.empty()) out.emplace_back(w);
  }
  return out;
}

}  // namespace

bool Capabilities::has(std::string_view atom) const {
  return std::any_of(atoms.begin(), atoms.end(), [&](const std::string& a) { return util::iequals(a, atom); });
}

std::vector<std::string> Capabilities::auth_mechanisms() const {
  std::vector<std::string> out;
  for (const auto& a : atoms) {
    if (util::istarts_with(a, "AUTH=") && a.size() > 5) out.push_back(a.substr(5));
  }
  return out;
}

bool Capabilities::has_auth(std::string_view mechanism) const {
  const auto mechs = auth_mechanisms();
  return std::any_of(mechs.begin(), mechs.end(), [&](const std::string& m) { return util::iequals(m, mechanism); });
}

Capabilities parse_capabilities(std::string_view text) {
  Capabilities c;
  for (auto w : util::split(text, ' ')) {
    w = util::trim(w);
    if (!w.empty()) c.atoms.push_back(util::to_upper(w));
  }
  return c;
}

std::optional<Capabilities> capabilities_of(const Response& r) {
  if (r.code && r.code->name == "CAPABILITY") return parse_capabilities(r.code->args);
  if (r.kind == Kind::untagged && r.name == "CAPABILITY") {
    Capabilities c;
    for (const auto& v : r.data) {
      if (v.type == Value::Type::atom) c.atoms.push_back(util::to_upper(v.text));
    }
    return c;
  }
  return std::nullopt;
}

void apply(MailboxInfo& info, const Response& r) {
  if (r.kind == Kind::untagged && r.number) {
    if (r.name == "EXISTS") info.exists = r.number;
    else if (r.name == "RECENT") info.recent = r.number;
    return;
  }
  if (r.kind == Kind::untagged && r.name == "FLAGS" && !r.data.empty() && r.data.front().type == Value::Type::list) {
    info.flags = list_atoms(r.data.front());
    return;
  }
  if (!r.code) return;
  const auto& c = *r.code;
  if (c.name == "UNSEEN") info.first_unseen = code_number(c);
  else if (c.name == "UIDVALIDITY") info.uidvalidity = code_number(c);
  else if (c.name == "UIDNEXT") info.uidnext = code_number(c);
  else if (c.name == "PERMANENTFLAGS") info.permanent_flags = paren_words(c.args);
  else if (c.name == "READ-ONLY") info.read_only = true;
  else if (c.name == "READ-WRITE") info.read_write = true;
}

std::optional<StatusInfo> status_of(const Response& r) {
  if (r.kind != Kind::untagged || r.name != "STATUS" || r.data.size() < 2) return std::nullopt;
  const auto& mbox = r.data[0];
  const auto& list = r.data[1];
  if (mbox.type == Value::Type::list || mbox.type == Value::Type::nil || list.type != Value::Type::list)
    return std::nullopt;
  StatusInfo s;
  s.mailbox = mbox.text;
  for (std::size_t i = 0; i + 1 < list.items.size(); i += 2) {
    const auto& key = list.items[i];
    const auto value = list.items[i + 1].number();
    if (!value) continue;
    if (key.is_atom("MESSAGES")) s.messages = value;
    else if (key.is_atom("UNSEEN")) s.unseen = value;
    else if (key.is_atom("RECENT")) s.recent = value;
    else if (key.is_atom("UIDNEXT")) s.uidnext = value;
    else if (key.is_atom("UIDVALIDITY")) s.uidvalidity = value;
  }
  return s;
}

}  // namespace maildiag::imap
