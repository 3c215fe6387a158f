#include "maildiag/app/explain.hpp"

#include "maildiag/codes/pop3.hpp"
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
  const auto& ri = codes::info(c.reason);
  std::string title = c.outcome == codes::Outcome::success
                          ? std::string("Success")
                          : std::string(codes::to_string(c.outcome)) + " failure: " + std::string(ri.description);
  if (c.outcome == codes::Outcome::intermediate) title = "Intermediate reply: the server waits for more input";
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
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
  if (error != nullptr) *error = "cannot explain \"" + util::sanitize(t, 60) + "\": " + err.message;
  return std::nullopt;
}

}  // namespace maildiag::app
