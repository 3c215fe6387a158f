#include "context.hpp"

#include <unistd.h>

#include <iostream>

namespace maildiag::cli {

void Context::emit(const report::Report& r) {
  if (common.json) {
    report::render_json(std::cout, r, transcript || true);
  } else {
    report::render_text(std::cout, r, text_style());
  }
  std::cout.flush();
  fold(r.status());
}

void Context::emit_interactive(const report::Report& r) {
  if (common.json) {
    emit(r);
    return;
  }
  if (!r.findings.empty()) report::render_findings(std::cerr, r.findings, text_style());
  fold(r.status());
}

void Context::fold(report::Severity s) {
  worst = report::worst(worst, s);
  any_report = true;
}

report::TextStyle Context::text_style() const {
  report::TextStyle st;
  st.color = report::want_color(STDOUT_FILENO, no_color);
  st.transcript = transcript;
  return st;
}

int Context::exit_code() const { return report::exit_code(worst); }

}  // namespace maildiag::cli
