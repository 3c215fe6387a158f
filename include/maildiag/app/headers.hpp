#pragma once
/// `maildiag headers`: read a message's header section (Gmail "Show original", an .eml, an mbox)
/// and say where it came from, how it travelled (hops oldest first, TLS, delays, clock skew), who
/// vouches for it (SPF/DKIM/DMARC/ARC and alignment) and what looks forged.

#include "maildiag/report/report.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::app {

struct HeadersOptions {
  bool all = false;  ///< list every header field, decoded (--all)
};

/// The report for one message. `headers` is the header section (the body is not needed);
/// `cut` says it was longer than the input limit. Never throws.
report::Report headers_report(const std::string& source, std::string_view headers, bool cut,
                              const HeadersOptions& options);

/// One header section read from an input.
struct HeaderInput {
  std::string source;         ///< file path, "path#N" for the Nth message of an mbox, or "-"
  std::string_view headers;   ///< the header section (an mbox "From " line included)
  bool cut = false;
  bool mbox = false;
};

/// Streams every message of the inputs ("-" = stdin; a file beginning with "From " is an mbox)
/// holding only one header section in memory. Unreadable inputs and directories call `error`
/// with a one-line message and the others go on.
void for_each_header_section(const std::vector<std::string>& inputs,
                             const std::function<void(const HeaderInput&)>& each,
                             const std::function<void(const std::string&)>& error);

/// True when the bytes cannot be a message header section (binary data, no field at all).
bool looks_like_junk(std::string_view headers);

}  // namespace maildiag::app
