#include "maildiag/smtp/queue_id.hpp"

#include "maildiag/util/text.hpp"

#include <vector>

namespace maildiag::smtp {

namespace {

constexpr std::size_t kMaxId = 128;

bool id_char(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b > 0x20 && b < 0x7F && c != '<' && c != '>' && c != '(' && c != ')' && c != '[' && c != ']' &&
         c != ',' && c != ';' && c != '"';
}

/// The ID-like token starting at pos (trailing '.' and ':' dropped); empty when none.
std::string token_at(std::string_view s, std::size_t pos) {
  std::size_t end = pos;
  while (end < s.size() && id_char(s[end])) ++end;
  while (end > pos && (s[end - 1] == '.' || s[end - 1] == ':')) --end;
  if (end - pos > kMaxId) return {};
  return std::string(s.substr(pos, end - pos));
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (auto w : util::split(s, ' ')) {
    if (!util::trim(w).empty()) out.push_back(util::trim(w));
  }
  return out;
}

std::optional<QueueId> make(std::string id, std::string_view software) {
  if (id.empty()) return std::nullopt;
  return QueueId{std::move(id), software};
}

/// "... <id> [InternalId=...]": the first <...> group, brackets removed.
std::optional<QueueId> angle_id(std::string_view t, std::string_view software) {
  const auto lt = t.find('<');
  if (lt == std::string_view::npos) return std::nullopt;
  const auto gt = t.find('>', lt);
  if (gt == std::string_view::npos || gt - lt - 1 > kMaxId) return std::nullopt;
  const auto inner = t.substr(lt + 1, gt - lt - 1);
  for (char c : inner) {
    if (!id_char(c)) return std::nullopt;
  }
  return make(std::string(inner), software);
}

std::optional<QueueId> gmail(std::string_view t) {
  // "OK  1234567890 a1si12345abc.12 - gsmtp": the token before "- gsmtp".
  const auto w = words(t);
  if (w.size() < 3 || !util::iequals(w.back(), "gsmtp") || w[w.size() - 2] != "-") return std::nullopt;
  return make(token_at(w[w.size() - 3], 0), "gmail");
}

std::optional<QueueId> word_before(std::string_view t, std::size_t phrase_pos, std::string_view software) {
  const auto w = words(t.substr(0, phrase_pos));
  if (w.empty()) return std::nullopt;
  const auto last = w.back();
  if (codes::parse_enhanced(last) || util::iequals(last, "ok")) return std::nullopt;
  return make(token_at(last, 0), software);
}

}  // namespace

std::optional<QueueId> extract_queue_id(std::string_view text) {
  const auto t = util::trim(text);
  if (auto p = util::ifind(t, "queued as "); p != std::string_view::npos)
    return make(token_at(t, p + 10), "postfix");
  if (auto p = util::ifind(t, "id="); p != std::string_view::npos && (p == 0 || t[p - 1] == ' '))
    return make(token_at(t, p + 3), "exim");
  if (auto g = gmail(t)) return g;
  if (util::icontains(t, "Queued mail for delivery")) return angle_id(t, "exchange");
  if (auto p = util::ifind(t, "Message accepted for delivery"); p != std::string_view::npos)
    return word_before(t, p, "sendmail");
  if (auto p = util::ifind(t, " qp "); p != std::string_view::npos) {
    auto id = token_at(t, p + 4);
    if (!id.empty()) return make("qp " + id, "qmail");
  }
  if (auto p = util::ifind(t, "Message Queued ("); p != std::string_view::npos) {
    auto id = token_at(t, p + 16);
    return make(std::move(id), "haraka");
  }
  return std::nullopt;
}

std::optional<QueueId> extract_queue_id(const codes::Reply& reply) {
  if (reply.reply_class() != 2) return std::nullopt;
  return extract_queue_id(reply.text());
}

}  // namespace maildiag::smtp
