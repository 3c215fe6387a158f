#include "maildiag/app/explain.hpp"

#include "maildiag/codes/pop3.hpp"
#include "maildiag/i18n/catalog.hpp"
#include "maildiag/report/classification.hpp"
#include "maildiag/util/text.hpp"

namespace maildiag::app {

namespace {

report::Report build(std::string_view input, const codes::Classification& c) {
  report::Report r;
  r.command = "explain";
  r.target = util::sanitize(util::trim(input), 200);
  auto& s = r.add_section("");
  report::add_rows(s, c);
  const auto sev = report::severity_of(c);
  const auto ri = codes::info(c.reason);
  std::string title;
  if (c.outcome == codes::Outcome::success) title = i18n::msg("explain.success");
  else if (c.outcome == codes::Outcome::intermediate) title = i18n::msg("explain.intermediate");
  else {
    std::string outcome(i18n::msg("outcome." + std::string(codes::to_string(c.outcome))));
    if (i18n::language() == i18n::Lang::en)  // "Permanent failure: ..." reads better capitalised
      outcome[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(outcome[0])));
    title = i18n::format("explain.failure", {outcome, std::string(ri.description)});
  }
  r.add(sev, "explain." + std::string(ri.name), title, c.code_meaning.empty() ? c.enhanced_meaning : c.code_meaning,
        util::sanitize(util::trim(input), 500), c.remediation);
  for (const auto& n : c.notes) r.add(report::Severity::info, "explain.note", n);
  r.data = report::to_json(c);
  return r;
}

}  // namespace

std::optional<report::Report> run_explain(std::string_view input, std::string* error) {
  const auto t = util::trim(input);
  if (auto st = codes::parse_pop3_status(t)) return build(t, codes::classify_pop3(*st));
  codes::ReplyParseError err;
  if (auto reply = codes::parse_reply(t, &err)) return build(t, codes::classify(*reply));
  if (error != nullptr) *error = i18n::format("common.explain.cannot-explain", {util::sanitize(t, 60), err.message});
  return std::nullopt;
}

}  // namespace maildiag::app
