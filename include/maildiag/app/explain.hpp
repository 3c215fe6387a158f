#pragma once
/// `maildiag explain`: a reply, a status code or a POP3 response in plain words.

#include "maildiag/report/report.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace maildiag::app {

/// Explains one input ("550 5.1.1 ...", "5.7.1", "-ERR [IN-USE] ..."). On input that is none of
/// these, returns nullopt and sets error to a one-line message.
std::optional<report::Report> run_explain(std::string_view input, std::string* error);

}  // namespace maildiag::app
