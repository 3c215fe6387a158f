#pragma once
// app-private: how every dialog (smtp-test, pop3-test, imap-test) records a transcript line.

#include "maildiag/app/credentials.hpp"
#include "maildiag/report/report.hpp"

#include <functional>

namespace maildiag::app {

/// Called with each line as it is recorded (interactive mode prints it at once).
using LiveLine = std::function<void(const report::TranscriptLine&)>;

/// Records `line` in rep.transcript: secrets redacted in its text and note, the text sanitised
/// and cut to 1,000 characters; logged at debug level and handed to `live` when set.
void record_line(report::Report& rep, report::TranscriptLine line, const Redactor& redactor, const LiveLine& live);

}  // namespace maildiag::app
