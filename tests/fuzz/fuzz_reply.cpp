// Fuzz target: the one classifier and the reply parsers it is fed from — parse_reply, classify,
// classify_text (with and without separate codes), parse_pop3_status and classify_pop3, the
// enhanced-code parser, and report::to_json of every classification (what --json prints).
// Invariants: no exception escapes; a parsed reply has a code that is 0 (bare enhanced code) or
// a valid one and at least one line; classifications are bounded by their input.

#include "fuzz_support.hpp"

#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/enhanced.hpp"
#include "maildiag/codes/pop3.hpp"
#include "maildiag/codes/reply.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"

#include <optional>
#include <string>

namespace {

using namespace maildiag;

/// Everything a classification says is derived from a fixed catalog plus pieces of the input
/// (the evidence phrase, a blocklist name): nothing can grow beyond that.
void check_bounded(const codes::Classification& c, std::size_t input_size) {
  const std::size_t bound = input_size + 64 * 1024;
  FUZZ_CHECK(c.reason_evidence.size() <= bound);
  FUZZ_CHECK(c.code_meaning.size() <= bound);
  FUZZ_CHECK(c.remediation.size() <= bound);
  FUZZ_CHECK(!c.blocklist || c.blocklist->size() <= input_size);
  FUZZ_CHECK(c.notes.size() < 64);
  if (c.code) FUZZ_CHECK(*c.code >= 0 && *c.code <= 999);
  // As render.cpp prints it: invalid UTF-8 from the input is replaced, never thrown on.
  (void)report::to_json(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

MAILDIAG_FUZZ_TARGET {
  fuzz::Input in(data, size);
  i18n::set_language(in.flag() ? i18n::Lang::zh : i18n::Lang::en);
  const std::uint8_t code_choice = in.byte();
  const std::string_view text = in.rest();

  codes::ReplyParseError err;
  if (auto reply = codes::parse_reply(text, &err)) {
    FUZZ_CHECK(!reply->lines.empty());
    FUZZ_CHECK(reply->code == 0 || codes::is_valid_code(reply->code));
    FUZZ_CHECK(reply->text().size() <= text.size());
    FUZZ_CHECK(reply->wire().size() <= 2 * text.size() + 8);
    check_bounded(codes::classify(*reply), text.size());
  } else {
    FUZZ_CHECK(!err.message.empty());
    FUZZ_CHECK(err.message.find('\n') == std::string::npos);
  }

  // Free text with a separate code, as a bounce's Diagnostic-Code or a log's "said:" text.
  std::optional<int> code;
  if (code_choice & 1u) code = 200 + (code_choice >> 1) * 3;
  std::optional<codes::EnhancedCode> enhanced;
  std::size_t used = 0;
  if (code_choice & 0x80u) enhanced = codes::parse_enhanced_prefix(text, &used);
  check_bounded(codes::classify_text(text, code, enhanced), text.size());
  (void)codes::reason_from_text(text);
  (void)codes::find_blocklist(text);

  if (auto st = codes::parse_pop3_status(text)) {
    FUZZ_CHECK(st->text.size() <= text.size());
    check_bounded(codes::classify_pop3(*st), text.size());
  }
  return 0;
}
