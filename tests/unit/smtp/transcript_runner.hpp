#pragma once
// Replays an SMTP transcript file against the sans-I/O engine. Format, one item per line:
//   # comment               ignored
//   S: text                 a server line (CRLF appended)
//   R: text                 raw server bytes, escapes \r \n \0 \\ (nothing appended)
//   C: command              a client command line (sent through smtp::raw); its bytes must come out
//   M: line                 a line of message content; consecutive M: lines are sent as one message
//   T:                      the TLS handshake succeeded (tls_established)
//   EOF                     the server closed the connection
//   E: event                an expected event, in order (see describe() below)
//   E? event                an event that may or may not appear, depending on how the bytes
//                           were split (ReadyForTls before later injected bytes, say)
// Server bytes are fed before each client step, split by a chunk size (0 = whole blocks), and
// events are drained after every chunk, as the session pump does.
// Header-only: the test glob compiles *_test.cpp files only.

#include "maildiag/smtp/client.hpp"
#include "maildiag/smtp/data.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace maildiag::test {

struct TranscriptRun {
  std::vector<std::string> expected;  // E: lines
  std::vector<std::string> optional;  // E? lines
  std::vector<std::string> events;    // what the engine emitted
  std::vector<std::string> problems;  // a command's bytes differed, etc.
};


namespace transcript_detail {

inline std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    out += n == 'r' ? '\r' : n == 'n' ? '\n' : n == '0' ? '\0' : n;
  }
  return out;
}

inline std::string describe(const smtp::Event& ev) {
  using namespace smtp::event;
  if (const auto* g = std::get_if<Greeting>(&ev)) return "greeting " + std::to_string(g->reply.code);
  if (const auto* r = std::get_if<Reply>(&ev)) {
    std::string s = "reply " + std::string(smtp::to_string(r->verb)) + " " + std::to_string(r->reply.code);
    if (r->reply.enhanced) s += " " + r->reply.enhanced->str();
    if (!r->expected) s += " unexpected";
    if (r->unsolicited) s += " unsolicited";
    return s;
  }
  if (const auto* c = std::get_if<Capabilities>(&ev)) {
    std::string s = "caps";
    if (c->tls) s += " tls";
    if (c->caps.pipelining) s += " pipelining";
    if (c->caps.starttls) s += " starttls";
    if (!c->caps.auth.empty()) {
      s += " auth=";
      for (std::size_t i = 0; i < c->caps.auth.size(); ++i) s += (i ? "," : "") + c->caps.auth[i];
    }
    return s;
  }
  if (std::holds_alternative<ReadyForTls>(ev)) return "ready-for-tls";
  if (const auto* c = std::get_if<Closed>(&ev))
    return c->clean ? std::string("closed clean") : "closed unclean unanswered=" + std::to_string(c->unanswered);
  if (const auto* e = std::get_if<ProtocolError>(&ev)) return "error " + std::string(smtp::to_string(e->kind));
  return "need-data";
}

struct Runner {
  smtp::Client client;
  std::size_t chunk;
  std::string server;        // pending server bytes
  std::string message;       // pending M: content
  bool in_message = false;
  TranscriptRun run;

  bool closed_seen = false;

  void drain() {
    for (int guard = 0; guard < 100000 && !closed_seen; ++guard) {
      auto ev = client.next_event();
      if (std::holds_alternative<smtp::event::NeedData>(ev)) return;
      const bool closed = std::holds_alternative<smtp::event::Closed>(ev);
      const auto d = describe(ev);
      if (std::find(run.optional.begin(), run.optional.end(), d) == run.optional.end()) run.events.push_back(d);
      closed_seen = closed;
      if (closed) return;
    }
  }

  void flush_server() {
    std::string_view s = server;
    while (!s.empty()) {
      const std::size_t n = chunk == 0 ? s.size() : std::min(chunk, s.size());
      client.receive(s.substr(0, n));
      s.remove_prefix(n);
      drain();
    }
    server.clear();
  }

  void send(const smtp::Command& cmd) {
    if (auto err = client.send(cmd)) {
      run.events.push_back("local-error");
      return;
    }
    const auto out = client.take_output();
    if (out != cmd.wire) run.problems.push_back("bytes for \"" + cmd.display + "\" differ: " + util::sanitize(out, 80));
  }

  void flush_message() {
    if (!in_message) return;
    in_message = false;
    send(smtp::message(message));
    message.clear();
  }
};

}  // namespace transcript_detail

inline std::filesystem::path smtp_data_dir() { return std::filesystem::path(MAILDIAG_SOURCE_DIR) / "tests/unit/smtp/data"; }

inline std::size_t largest_block(const std::string& text) {
  std::size_t best = 0;
  std::size_t cur = 0;
  for (auto line : util::split(text, '\n')) {
    if (line.rfind("S: ", 0) == 0) cur += line.size() - 3 + 2;
    else if (line.rfind("R: ", 0) == 0) cur += transcript_detail::unescape(line.substr(3)).size();
    else if (!line.empty() && line[0] != '#' && line[0] != 'E') cur = 0;
    best = std::max(best, cur);
  }
  return best;
}

inline TranscriptRun run_transcript(const std::string& text, std::size_t chunk) {
  transcript_detail::Runner r;
  r.chunk = chunk;
  for (auto raw_line : util::split(text, '\n')) {
    std::string_view line = raw_line;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("E: ", 0) == 0) {
      r.run.expected.emplace_back(line.substr(3));
      continue;
    }
    if (line.rfind("E? ", 0) == 0) {
      r.run.optional.emplace_back(line.substr(3));
      continue;
    }
    if (line.rfind("M:", 0) == 0) {
      r.flush_server();
      r.in_message = true;
      r.message += std::string(line.size() > 3 ? line.substr(3) : std::string_view()) + "\n";
      continue;
    }
    r.flush_message();
    if (line.rfind("S: ", 0) == 0 || line == "S:") {
      r.server += std::string(line.size() > 3 ? line.substr(3) : std::string_view()) + "\r\n";
    } else if (line.rfind("R: ", 0) == 0) {
      r.server += transcript_detail::unescape(line.substr(3));
    } else if (line.rfind("C: ", 0) == 0) {
      r.flush_server();
      // After a 334 a typed line is a SASL response (the interactive mode does the same).
      auto cmd = r.client.state() == smtp::State::auth ? smtp::auth_response(line.substr(3)) : smtp::raw(line.substr(3));
      if (cmd) r.send(*cmd);
      else r.run.problems.push_back("bad C: line");
    } else if (line == "T:") {
      r.flush_server();
      r.client.tls_established();
    } else if (line == "EOF") {
      r.flush_server();
      r.client.receive_eof();
      r.drain();
    } else {
      r.run.problems.push_back("unknown line: " + std::string(line));
    }
  }
  r.flush_message();
  r.flush_server();
  return r.run;
}

}  // namespace maildiag::test
