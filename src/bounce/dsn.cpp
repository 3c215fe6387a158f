#include "maildiag/bounce/dsn.hpp"

#include "maildiag/i18n/catalog.hpp"
#include "maildiag/util/text.hpp"

#include <cctype>

namespace maildiag::bounce {

namespace {

struct RawField {
  std::string_view name;
  std::string value;
  std::size_t group = 0;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_xtext_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool is_field_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

/// Splits the body into unfolded fields, numbering the blank-line-separated groups.
std::vector<RawField> read_fields(std::string_view body, const DsnLimits& limits) {
  std::vector<RawField> fields;
  std::size_t group = 0;
  bool in_blank = true;
  for (auto line : util::split_lines(body)) {
    if (util::trim(line).empty()) {
      if (!in_blank) ++group;
      in_blank = true;
      continue;
    }
    in_blank = false;
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      auto& v = fields.back().value;
      if (v.size() < limits.max_value) {
        if (!v.empty()) v.push_back(' ');
        v.append(util::trim(line).substr(0, limits.max_value - v.size()));
      }
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = util::trim(line.substr(0, colon));
    if (!is_field_name(name)) continue;
    fields.push_back(RawField{name, std::string(util::trim(line.substr(colon + 1)).substr(0, limits.max_value)), group});
  }
  return fields;
}

void parse_status(DsnRecipient& r) {
  const auto v = util::trim(r.status);
  if (auto e = codes::parse_enhanced_prefix(v)) {
    r.enhanced = e;
    return;
  }
  if (v.size() >= 3 && std::isdigit(static_cast<unsigned char>(v[0])) != 0 &&
      std::isdigit(static_cast<unsigned char>(v[1])) != 0 && std::isdigit(static_cast<unsigned char>(v[2])) != 0 &&
      (v.size() == 3 || v[3] == ' ' || v[3] == '-')) {
    const int code = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
    if (code >= 200 && code < 600) r.status_reply_code = code;
  }
  r.enhanced = codes::find_enhanced(v);
}

bool set_message_field(DsnMessage& m, std::string_view name, const std::string& value) {
  auto set_typed = [&](TypedValue& t) {
    if (t.value.empty() && t.type.empty()) t = parse_typed(value);
  };
  auto set = [&](std::string& s) {
    if (s.empty()) s = value;
  };
  if (util::iequals(name, "Reporting-MTA")) set_typed(m.reporting_mta);
  else if (util::iequals(name, "Received-From-MTA")) set_typed(m.received_from_mta);
  else if (util::iequals(name, "Arrival-Date")) set(m.arrival_date);
  else if (util::iequals(name, "Original-Envelope-Id")) set(m.original_envelope_id);
  else if (util::iequals(name, "X-Postfix-Sender")) set(m.x_postfix_sender);
  else return false;
  return true;
}

/// Stores a per-recipient field; false when the name is not one.
bool set_recipient_field(DsnRecipient& r, std::string_view name, const std::string& value) {
  auto set_typed = [&](TypedValue& t) {
    if (t.value.empty()) t = parse_typed(value);
  };
  auto set = [&](std::string& s) {
    if (s.empty()) s = value;
  };
  if (util::iequals(name, "Final-Recipient")) set_typed(r.final_recipient);
  else if (util::iequals(name, "Original-Recipient")) set_typed(r.original_recipient);
  else if (util::iequals(name, "X-Actual-Recipient")) set(r.x_actual_recipient);
  else if (util::iequals(name, "Action")) {
    if (r.action.empty()) r.action = util::to_lower(util::trim(value.substr(0, value.find_first_of(" \t("))));
  } else if (util::iequals(name, "Status")) {
    if (r.status.empty()) {
      r.status = value;
      parse_status(r);
    }
  } else if (util::iequals(name, "Remote-MTA")) set_typed(r.remote_mta);
  else if (util::iequals(name, "Diagnostic-Code")) set_typed(r.diagnostic_code);
  else if (util::iequals(name, "Last-Attempt-Date")) set(r.last_attempt_date);
  else if (util::iequals(name, "Will-Retry-Until")) set(r.will_retry_until);
  else if (util::iequals(name, "Final-Log-ID")) set(r.final_log_id);
  else return false;
  return true;
}

/// True when `name` must open a new recipient rather than fill the current one.
bool starts_recipient(const DsnRecipient& cur, std::size_t cur_group, std::size_t group, std::string_view name) {
  if (group != cur_group) return true;
  if (util::iequals(name, "Final-Recipient")) return !cur.final_recipient.value.empty();
  if (util::iequals(name, "Original-Recipient")) return !cur.original_recipient.value.empty();
  return false;
}

bool is_recipient_name(std::string_view name) {
  DsnRecipient probe;
  return set_recipient_field(probe, name, "x");
}

}  // namespace

TypedValue parse_typed(std::string_view field_value) {
  TypedValue t;
  const auto v = util::trim(field_value);
  const auto semi = v.find(';');
  if (semi != std::string_view::npos && semi <= 32) {
    auto type = util::trim(v.substr(0, semi));
    bool token = !type.empty();
    for (char c : type) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') token = false;
    }
    if (token) {
      t.type = util::to_lower(type);
      t.value = std::string(util::trim(v.substr(semi + 1)));
      return t;
    }
  }
  t.value = std::string(v);
  return t;
}

std::string dsn_address(const TypedValue& v) {
  std::string_view s = util::trim(v.value);
  if (const auto lt = s.find('<'); lt != std::string_view::npos) {
    const auto gt = s.find('>', lt);
    if (gt != std::string_view::npos) s = s.substr(lt + 1, gt - lt - 1);
  }
  while (!s.empty() && (s.back() == '.' || s.back() == ',' || s.back() == ';')) s.remove_suffix(1);
  if (!s.empty() && (s.front() == '"' || s.front() == '\'') && s.size() >= 2 && s.back() == s.front() &&
      s.find('@') == std::string_view::npos) {
    s = s.substr(1, s.size() - 2);
  }
  std::string out;
  out.reserve(s.size());
  const bool xtext = v.type == "rfc822" || v.type.empty();
  const bool unitext = v.type == "utf-8";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (xtext && s[i] == '+' && i + 2 < s.size() && is_xtext_hex(s[i + 1]) && is_xtext_hex(s[i + 2])) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else if (unitext && s.substr(i, 3) == "\\x{") {
      const auto close = s.find('}', i);
      unsigned long cp = 0;
      bool ok = close != std::string_view::npos && close - i >= 4 && close - i <= 9;
      for (std::size_t k = i + 3; ok && k < close; ++k) {
        const int hv = hex_value(s[k]);
        if (hv < 0) ok = false;
        else cp = cp * 16 + static_cast<unsigned long>(hv);
      }
      if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        util::append_utf8(out, static_cast<char32_t>(cp));
        i = close;
      } else {
        out.push_back(s[i]);
      }
    } else if (s[i] != ' ' && s[i] != '\t') {
      out.push_back(s[i]);
    }
  }
  return out;
}

DeliveryStatus parse_delivery_status(std::string_view body, const DsnLimits& limits) {
  DeliveryStatus ds;
  const auto fields = read_fields(body, limits);
  bool have = false;
  std::size_t cur_group = 0;
  for (const auto& f : fields) {
    if (is_recipient_name(f.name)) {
      const bool is_addr = util::iequals(f.name, "Final-Recipient") || util::iequals(f.name, "Original-Recipient");
      bool fresh = !have;
      if (have) {
        fresh = is_addr ? starts_recipient(ds.recipients.back(), cur_group, f.group, f.name) : f.group != cur_group;
      }
      if (fresh) {
        if (ds.recipients.size() >= limits.max_recipients) {
          ds.problems.push_back(i18n::format("bounce.note.dsn-too-many", {std::to_string(limits.max_recipients)}));
          break;
        }
        ds.recipients.emplace_back();
        have = true;
        cur_group = f.group;
      }
      set_recipient_field(ds.recipients.back(), f.name, f.value);
    } else {
      set_message_field(ds.message, f.name, f.value);
    }
  }
  // A group of Action/Status without any address is noise unless nothing else is there.
  std::erase_if(ds.recipients, [&](const DsnRecipient& r) {
    return r.final_recipient.value.empty() && r.original_recipient.value.empty() && r.status.empty() &&
           r.diagnostic_code.value.empty();
  });
  for (const auto& r : ds.recipients) {
    if (r.final_recipient.value.empty() && r.original_recipient.value.empty()) {
      ds.problems.emplace_back(i18n::msg("bounce.note.dsn-no-final-recipient"));
      break;
    }
  }
  return ds;
}

}  // namespace maildiag::bounce
