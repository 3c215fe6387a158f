#include "maildiag/message/mime.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace maildiag::message;

namespace {
std::string with_eol(std::string s, const std::string& eol) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += eol;
    else out.push_back(c);
  }
  return out;
}

const char* kReport =
    "From: MAILER-DAEMON@x.org\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"OUTER\"\n"
    "\n"
    "preamble\n"
    "--OUTER\n"
    "Content-Type: multipart/alternative; boundary=INNER\n"
    "\n"
    "--INNER\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aMOpbGxvIHdvcmxk\n"
    "--INNER\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>h&#233;llo</p>\n"
    "--INNER--\n"
    "--OUTER\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Final-Recipient: rfc822; a@x.org\n"
    "--OUTER\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Content-Type: multipart/mixed; boundary=OUTER\n"
    "Subject: original\n"
    "\n"
    "--OUTER--\n"
    "epilogue\n";
}  // namespace

TEST_CASE("MIME: Content-Type values", "[message][mime]") {
  auto ct = parse_content_type("Multipart/Report; report-type=delivery-status; boundary=\"a b;c\"");
  CHECK(ct.mime_type() == "multipart/report");
  CHECK(ct.param("Report-Type") == "delivery-status");
  CHECK(ct.param("boundary") == "a b;c");
  CHECK(ct.is("multipart/*"));
  auto broken = parse_content_type("garbage");
  CHECK(broken.mime_type() == "text/plain");
  auto cont = parse_content_type("text/plain; name*0=\"abc\"; name*1=\"def\"; title*=utf-8''%E4%B8%AD");
  CHECK(cont.param("name") == "abcdef");
  CHECK(cont.param("title") == "\xE4\xB8\xAD");
}

TEST_CASE("MIME: nested multiparts with CRLF, LF and CR-only line ends", "[message][mime]") {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    INFO("eol size " << eol.size() << (eol == "\r" ? " (CR)" : ""));
    const auto msg = with_eol(kReport, eol);
    const auto t = parse_mime(msg);
    REQUIRE(t.parts.size() == 6);
    CHECK(t.parts[0].content_type.mime_type() == "multipart/report");
    CHECK(t.parts[1].content_type.mime_type() == "multipart/alternative");
    CHECK(t.parts[2].depth == 2);
    CHECK(body_text(t.parts[2]).text == "h\xC3\xA9llo world");
    CHECK(html_to_text(body_text(t.parts[3]).text).find("h\xC3\xA9llo") != std::string::npos);
    CHECK(t.parts[4].content_type.mime_type() == "message/delivery-status");
    CHECK(t.parts[4].body.substr(0, 16) == "Final-Recipient:");
    // The returned message reuses the outer boundary inside: it stays one leaf.
    CHECK(t.parts[5].content_type.mime_type() == "message/rfc822");
    CHECK(t.parts[5].children.empty());
    CHECK(t.problems.empty());
  }
}

TEST_CASE("MIME: broken structure is read as far as it goes", "[message][mime]") {
  SECTION("missing final boundary") {
    const auto t = parse_mime("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n");
    REQUIRE(t.parts.size() == 3);
    CHECK(t.parts[2].body == "two\n");
    CHECK_FALSE(t.problems.empty());
  }
  SECTION("multipart without boundary parameter reads as text") {
    const auto t = parse_mime("Content-Type: multipart/mixed\n\nhello\n");
    REQUIRE(t.parts.size() == 1);
    CHECK(t.parts[0].content_type.mime_type() == "text/plain");
  }
  SECTION("boundary that never occurs") {
    const auto t = parse_mime("Content-Type: multipart/mixed; boundary=zz\n\nhello\n");
    REQUIRE(t.parts.size() == 1);
    CHECK(t.parts[0].body == "hello\n");
  }
  SECTION("base64 garbage") {
    const auto t = parse_mime("Content-Transfer-Encoding: base64\n\n%%%not base64%%%\n");
    const auto d = decode_transfer(t.parts[0]);
    CHECK_FALSE(d.ok);
    CHECK(d.bytes.find("not base64") != std::string::npos);
  }
  SECTION("quoted-printable") {
    const auto t = parse_mime("Content-Transfer-Encoding: quoted-printable\n\nrecip=\nients =3D ok\n");
    CHECK(decode_transfer(t.parts[0]).bytes == "recipients = ok\n");
  }
  SECTION("boundary prefix of a longer one is not a delimiter") {
    const auto t = parse_mime("Content-Type: multipart/mixed; boundary=ab\n\n--ab\n\nx\n--abc\ny\n--ab--\n");
    REQUIRE(t.parts.size() == 2);
    CHECK(t.parts[1].body == "x\n--abc\ny");
  }
}

TEST_CASE("MIME: limits bound depth and part count", "[message][mime]") {
  std::string deep;
  for (int i = 0; i < 50; ++i) deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
  deep += "\nleaf\n";
  const auto t = parse_mime(deep);
  CHECK(t.truncated);
  CHECK(t.parts.size() <= MimeLimits{}.max_depth + 2);

  std::string wide = "Content-Type: multipart/mixed; boundary=w\n\n";
  for (int i = 0; i < 2000; ++i) wide += "--w\n\nx\n";
  wide += "--w--\n";
  const auto w = parse_mime(wide);
  CHECK(w.truncated);
  CHECK(w.parts.size() == MimeLimits{}.max_parts);
}

TEST_CASE("MIME: charsets through the message parser", "[message][mime]") {
  // "退信" in GB2312, base64.
  const auto t = parse_mime("Content-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: base64\n\nzcvQxQ==\n");
  CHECK(body_text(t.parts[0]).text == "\xE9\x80\x80\xE4\xBF\xA1");
}
