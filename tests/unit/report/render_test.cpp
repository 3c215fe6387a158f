#include "maildiag/report/render.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace maildiag::report;

namespace {
std::string text_of(const Report& r) {
  std::ostringstream out;
  render_text(out, r, TextStyle{});
  return out.str();
}
}  // namespace

TEST_CASE("render: every severity mark puts the title in column 10", "[report][render]") {
  Report r;
  r.command = "t";
  r.add(Severity::ok, "a", "title ok");
  r.add(Severity::info, "b", "title info");
  r.add(Severity::critical, "c", "title crit");
  const auto s = text_of(r);
  CHECK(s.find("\n  [OK]   title ok\n") != std::string::npos);
  CHECK(s.find("\n  [INFO] title info\n") != std::string::npos);
  CHECK(s.find("\n  [CRIT] title crit\n") != std::string::npos);
}

TEST_CASE("render: rows end without trailing blanks", "[report][render]") {
  Report r;
  r.command = "t";
  auto& s = r.add_section("Table", {"A", "B", "C"});
  s.rows.push_back({"x", "", ""});
  const auto out = text_of(r);
  CHECK(out.find(" \n") == std::string::npos);
  CHECK(out.find("\n  x\n") != std::string::npos);
}

TEST_CASE("render: a long key/value value wraps under itself, without a short orphan", "[report][render]") {
  Report r;
  r.command = "t";
  auto& s = r.add_section("");
  // The value starts in column 17 and is 87 wide: 3 columns too many, and "(29 d)" must not be
  // left alone on the next line.
  s.rows.push_back({"Security", "implicit TLS: TLSv1.3, O=maildiag testbed,CN=mx1.mail.test, expires 2026-12-23 (29 d)"});
  s.rows.push_back({"Capabilities", "fits"});
  const auto out = text_of(r);
  INFO(out);
  CHECK(out.find("  Security      implicit TLS: TLSv1.3, O=maildiag testbed,CN=mx1.mail.test, expires\n"
                 "                2026-12-23 (29 d)\n") != std::string::npos);
  CHECK(out.find("  Capabilities  fits\n") != std::string::npos);
}

TEST_CASE("render: titled tables never wrap", "[report][render]") {
  Report r;
  r.command = "t";
  auto& s = r.add_section("T", {"K", "V"});
  const std::string long_value(150, 'x');
  s.rows.push_back({"k", long_value + " " + long_value});
  CHECK(text_of(r).find(long_value + " " + long_value) != std::string::npos);
}

TEST_CASE("render: Chinese text wraps between characters, not before closing punctuation", "[report][render]") {
  Report r;
  r.command = "t";
  std::string zh;
  for (int i = 0; i < 30; ++i) zh += "\u4E2D\u6587\uFF0C";  // 中文， x30: 180 columns, no spaces
  r.add(Severity::warning, "w", "title", zh);
  const auto out = text_of(r);
  std::istringstream lines(out);
  std::string line;
  int detail_lines = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("         \u4E2D", 0) == 0 || line.rfind("         \uFF0C", 0) == 0) {
      ++detail_lines;
      CHECK(line.rfind("         \uFF0C", 0) != 0);  // never a line starting with the comma
    }
  }
  CHECK(detail_lines >= 2);
}

TEST_CASE("render: write_json writes the schema's object as nlohmann would dump it", "[report][json]") {
  Report r;
  r.command = "mx";
  r.target = "b\xc3\xa4" "d \xff input";  // UTF-8 and an invalid byte (replaced)
  auto written = [&r](bool with_transcript) {
    std::ostringstream out;
    write_json(out, r, with_transcript);
    const auto j = nlohmann::json::parse(out.str());
    // Key order, separators and escapes are dump()'s: parsing and dumping gives the same bytes.
    CHECK(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == out.str());
    return j;
  };
  auto j = written(true);  // no findings, no data, no transcript
  CHECK(j["schema_version"] == kSchemaVersion);
  CHECK(j["tool"] == "maildiag");
  CHECK(j["command"] == "mx");
  CHECK(j["target"] == "b\xc3\xa4" "d \xef\xbf\xbd input");
  CHECK(j["status"] == "ok");
  CHECK(j["exit_code"] == 0);
  CHECK(j["findings"] == nlohmann::json::array());
  CHECK(j["data"] == r.data);
  CHECK_FALSE(j.contains("transcript"));
  CHECK(j.size() == 9);

  r.add(Severity::warning, "mx.x", "title \"quoted\"", "detail\nline", "evidence", "fix");
  r.add(Severity::info, "mx.y", "second");
  r.data["z"] = {{"b", 1}, {"a", nullptr}};
  r.data["a"] = nlohmann::json::array({1.5, "x", false});
  r.transcript.push_back({TranscriptLine::Dir::sent, true, false, 1.25, "EHLO x", "note"});
  r.transcript.push_back({TranscriptLine::Dir::received, false, true, 2.5, "550 no", ""});
  j = written(true);
  CHECK(j["status"] == "warning");
  CHECK(j["exit_code"] == 1);
  CHECK(j["findings"] == nlohmann::json::parse(R"([
      {"severity": "warning", "id": "mx.x", "title": "title \"quoted\"", "detail": "detail\nline",
       "evidence": "evidence", "remediation": "fix"},
      {"severity": "info", "id": "mx.y", "title": "second", "detail": "", "evidence": "", "remediation": ""}])"));
  CHECK(j["data"] == r.data);
  CHECK(j["transcript"] == nlohmann::json::array({to_json(r.transcript[0]), to_json(r.transcript[1])}));
  CHECK_FALSE(written(false).contains("transcript"));
}
