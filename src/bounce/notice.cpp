// Collecting the notification text, the delivery-status parts and the returned message from a
// MIME tree, and finding where a pasted copy of the original message starts.

#include "internal.hpp"

#include "maildiag/util/text.hpp"

#include <array>

namespace maildiag::bounce::detail {

namespace {

bool is_original_type(const message::ContentType& ct) {
  return ct.is("message/rfc822") || ct.is("message/global") || ct.is("message/partial") ||
         ct.is("text/rfc822-headers") || ct.is("message/rfc822-headers") || ct.is("message/global-headers") ||
         ct.is("text/rfc822-header");
}

bool is_dsn_type(const message::ContentType& ct) {
  return ct.is("message/delivery-status") || ct.is("message/global-delivery-status") ||
         ct.is("text/delivery-status") || ct.is("message/global-delivery-status-x");
}

/// Phrases that introduce a returned message inside a notice (matched at a line's start after
/// dashes, spaces and asterisks), lower-case.
constexpr std::string_view kMarkers[] = {
    "below this line is a copy of the message",
    "this is a copy of the message",
    "this is a copy of the headers",
    "the header of the original message",
    "original message follows",
    "original message",
    "unsent message follows",
    "returned message",
    "message text follows",
    "included is a copy of the message",
    "below is a copy of the original message",
    "the original message was",
    "headers of the original message",
    "copy of the original message",
    "original mail header",
    "--- original message",
    "the original message headers",
    "message header follows",
    "this is the original message",
    "original message header",
    "header of original message",
    "----- original message",
    "返送されたメッセージ"};

std::string_view strip_rule(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == '-' || line[i] == ' ' || line[i] == '\t' || line[i] == '*' ||
                             line[i] == '=' || line[i] == '_' || line[i] == '>' || line[i] == '[' || line[i] == '|')) {
    ++i;
  }
  return line.substr(i);
}

bool is_marker_line(std::string_view line) {
  const auto body = strip_rule(line);
  if (body.empty()) return false;
  for (auto m : kMarkers) {
    if (util::istarts_with(body, m)) {
      // "The original message was received at/on ..." (sendmail, Courier) is an intro, not a marker.
      if (m == "the original message was" && util::icontains(body, "received")) return false;
      if (m == "original message" && body.size() > 60) return false;
      return true;
    }
  }
  return false;
}

/// A header line that starts a pasted message: "Received: from", "Return-Path: <", "Return-path:".
bool is_header_start(std::string_view line) {
  return util::istarts_with(line, "Received: from ") || util::istarts_with(line, "Received: by ") ||
         util::istarts_with(line, "Return-Path: <") || util::istarts_with(line, "Return-path: <") ||
         util::istarts_with(line, "Received:from ") || util::istarts_with(line, "DKIM-Signature: ") ||
         util::istarts_with(line, "X-Received: ");
}

void append_text(std::string& out, std::string_view text, std::size_t max) {
  if (out.size() >= max) return;
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  out.append(text.substr(0, max - out.size()));
}

/// True when a text part is the plain alternative of an html sibling or vice versa.
bool has_plain_sibling(const message::MimeTree& tree, const message::MimePart& p) {
  if (p.parent < 0) return false;
  const auto& parent = tree.parts[static_cast<std::size_t>(p.parent)];
  if (!parent.content_type.is("multipart/alternative")) return false;
  for (auto c : parent.children) {
    if (tree.parts[c].content_type.is("text/plain")) return true;
  }
  return false;
}

bool is_attachment(const message::MimePart& p) {
  const auto cd = p.headers.get("Content-Disposition");
  return util::istarts_with(util::trim(cd), "attachment");
}

}  // namespace

std::size_t original_marker(std::string_view text) {
  std::size_t pos = 0;
  std::size_t seen_text = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    if (is_marker_line(line)) return pos;
    if (seen_text > 0 && is_header_start(line)) return pos;
    if (!util::trim(line).empty()) ++seen_text;
    pos = end + 1;
  }
  return std::string_view::npos;
}

Notice collect(const message::MimeTree& tree, const Limits& limits) {
  Notice n;
  bool seen_original = false;
  for (const auto& p : tree.parts) {
    const auto& ct = p.content_type;
    if (ct.is("multipart/report")) {
      n.has_report = true;
      if (n.report_type.empty()) n.report_type = util::to_lower(ct.param("report-type"));
      continue;
    }
    if (p.is_multipart()) continue;
    if (is_dsn_type(ct)) {
      n.dsn.push_back(message::body_text(p, limits.max_text).text);
    } else if (ct.is("message/feedback-report")) {
      if (n.feedback.empty()) n.feedback = message::body_text(p, limits.max_text).text;
    } else if (is_original_type(ct)) {
      if (!seen_original) n.original = message::decode_transfer(p, limits.max_text).bytes;
      seen_original = true;
    } else if (ct.type == "text" && !seen_original && !is_attachment(p)) {
      if (ct.subtype == "html") {
        if (has_plain_sibling(tree, p)) continue;
        append_text(n.text, message::html_to_text(message::body_text(p, limits.max_text).text), limits.max_text);
      } else if (ct.subtype == "plain" || ct.subtype == "enriched" || p.parent < 0) {
        append_text(n.text, message::body_text(p, limits.max_text).text, limits.max_text);
      }
    }
  }
  if (const auto m = original_marker(n.text); m != std::string::npos) {
    n.inline_original = n.text.substr(m);
    n.text.resize(m);
  }
  return n;
}

}  // namespace maildiag::bounce::detail
