#pragma once
/// Bridges the classifier and the report model: severities, JSON and table rows for a
/// Classification, so every subcommand shows a reply's meaning the same way.

#include "maildiag/codes/classify.hpp"
#include "maildiag/report/report.hpp"

namespace maildiag::report {

/// success -> ok, intermediate -> info, transient -> warning, permanent -> critical, unknown -> unknown.
Severity severity_of(const codes::Classification& c);
nlohmann::json to_json(const codes::Classification& c);
/// Key/value rows (Code, Enhanced, Outcome, Reason, Provider, Blocklist, Notes...).
void add_rows(Section& s, const codes::Classification& c);

}  // namespace maildiag::report
