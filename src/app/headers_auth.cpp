// The authentication part of `maildiag headers`: the receiver's verdicts (only those it wrote:
// results below the hop where the message entered its network may be forged), the signatures,
// ARC, and DMARC alignment of the From: domain worked out plainly.

#include "headers_internal.hpp"
#include "maildiag/message/address.hpp"
#include "maildiag/message/auth.hpp"
#include "maildiag/report/json_object.hpp"
#include "maildiag/util/text.hpp"

#include <algorithm>

namespace maildiag::app::headers_detail {

namespace {

using message::AuthResult;
using report::Severity;

constexpr std::size_t kMaxAuthHeaders = 50;

struct Verdicts {
  std::vector<std::pair<std::string, AuthResult>> trusted;  ///< authserv-id, result
  std::size_t untrusted = 0;
  std::size_t untrusted_line = 0;
};

/// Results above the Received header just older than the entry hop were written by the
/// receiving side; anything further down was there when the message arrived.
Verdicts collect(const Facts& f, report::Section& s, nlohmann::json& out) {
  Verdicts v;
  // Above the entry hop's Received: written by the receiver. Between it and the next older
  // Received: the entry hop's trace block (Gmail writes its results there), trusted unless the
  // same authserv-id already reported from above (a receiver does not vouch twice). Below: the
  // sender's.
  std::size_t entry_line = SIZE_MAX;
  std::size_t boundary = SIZE_MAX;
  if (f.entry) entry_line = f.trace.hops[*f.entry].header_line;
  if (f.entry && *f.entry > 0) boundary = f.trace.hops[*f.entry - 1].header_line;
  std::vector<std::string> vouched;
  const auto headers = f.block.find_all("authentication-results");
  for (std::size_t i = 0; i < headers.size() && i < kMaxAuthHeaders; ++i) {
    const auto* h = headers[i];
    const auto ar = message::parse_authentication_results(h->value);
    const std::string key = util::to_lower(ar.authserv_id);
    const bool repeated = std::find(vouched.begin(), vouched.end(), key) != vouched.end();
    const bool trusted = h->line < entry_line || (h->line < boundary && !repeated);
    if (trusted) vouched.push_back(key);
    const std::string id = util::sanitize(ar.authserv_id.empty() ? "?" : ar.authserv_id, 100);
    for (const auto& res : ar.results) {
      std::string about;
      for (const auto& p : res.properties) {
        if (p.name == "b" || (p.ptype == "policy" && p.name == "iprev")) continue;  // signature bits: noise
        about += (about.empty() ? "" : " ") + (p.ptype.empty() ? p.name : p.ptype + "." + p.name) + "=" + p.value;
      }
      if (!res.reason.empty()) about += (about.empty() ? "" : " ") + std::string("reason=") + res.reason;
      s.rows.push_back({util::sanitize(res.method, 30), util::sanitize(res.result, 20), util::sanitize(about, 160),
                        trusted ? id : i18n::format("headers.auth.ignored", {id})});
      nlohmann::json props = nlohmann::json::object();
      for (const auto& p : res.properties) props[util::sanitize(p.ptype.empty() ? p.name : p.ptype + "." + p.name, 60)] = util::sanitize(p.value, 300);
      out["results"].push_back(report::object(
          "authserv_id", id,
          "method", util::sanitize(res.method, 60),
          "result", util::sanitize(res.result, 60),
          "reason", util::sanitize(res.reason, 300),
          "comment", util::sanitize(res.comment, 300),
          "properties", std::move(props),
          "trusted", trusted,
          "line", h->line));
      if (trusted) v.trusted.emplace_back(id, res);
    }
    if (!trusted) {
      ++v.untrusted;
      v.untrusted_line = h->line;
    }
  }
  return v;
}

void add_signatures(const Facts& f, report::Section& s, nlohmann::json& out, std::vector<std::string>& dkim_domains) {
  for (const auto* h : f.block.find_all("dkim-signature")) {
    const auto t = message::parse_tag_list(h->value);
    const std::string d = util::to_lower(t.get("d"));
    dkim_domains.push_back(d);
    s.rows.push_back({"dkim-signature", "", util::sanitize("d=" + d + " s=" + std::string(t.get("s")) + " a=" + std::string(t.get("a")), 160),
                      util::sanitize("h=" + std::string(t.get("h")), 120)});
    out["dkim_signatures"].push_back(report::object(
        "d", util::sanitize(d, 300),
        "s", util::sanitize(t.get("s"), 300),
        "a", util::sanitize(t.get("a"), 60),
        "i", util::sanitize(t.get("i"), 300),
        "h", util::sanitize(t.get("h"), 1000)));
  }
  for (const auto* h : f.block.find_all("received-spf")) {
    const auto spf = message::parse_received_spf(h->value);
    if (!spf) continue;
    const std::string about = "client-ip=" + std::string(spf->pairs.get("client-ip")) +
                              " envelope-from=" + std::string(spf->pairs.get("envelope-from"));
    s.rows.push_back({"received-spf", util::sanitize(spf->result, 20), util::sanitize(about, 160), util::sanitize(spf->comment, 80)});
    out["received_spf"].push_back(report::object(
        "result", util::sanitize(spf->result, 60),
        "comment", util::sanitize(spf->comment, 300),
        "client_ip", util::sanitize(spf->pairs.get("client-ip"), 60),
        "envelope_from", util::sanitize(spf->pairs.get("envelope-from"), 300),
        "helo", util::sanitize(spf->pairs.get("helo"), 300)));
  }
  for (const auto* h : f.block.find_all("arc-seal")) {
    const auto t = message::parse_tag_list(h->value);
    s.rows.push_back({"arc-seal i=" + util::sanitize(t.get("i"), 4), "cv=" + util::sanitize(t.get("cv"), 10),
                      util::sanitize("d=" + std::string(t.get("d")) + " s=" + std::string(t.get("s")), 160), ""});
    out["arc"].push_back(report::object(
        "i", util::sanitize(t.get("i"), 4),
        "cv", util::sanitize(t.get("cv"), 10),
        "d", util::sanitize(t.get("d"), 300),
        "s", util::sanitize(t.get("s"), 300)));
  }
}

const AuthResult* first(const Verdicts& v, std::string_view method) {
  for (const auto& [id, r] : v.trusted) {
    if (r.method == method) return &r;
  }
  return nullptr;
}

/// "p=reject" in Gmail/Postfix comments, action=reject/oreject in Microsoft's.
bool reject_policy(const AuthResult& dmarc) {
  const std::string c = util::to_lower(dmarc.comment);
  const std::string action = util::to_lower(dmarc.property("action"));
  return c.find("p=reject") != std::string::npos || action == "reject" || action == "oreject";
}

void judge_results(report::Report& r, const Verdicts& v) {
  if (const auto* d = first(v, "dmarc")) {
    if (d->result == "fail") {
      const bool reject = reject_policy(*d);
      const std::string id = reject ? "headers.auth.dmarc-fail-reject" : "headers.auth.dmarc-fail";
      r.add(reject ? Severity::critical : Severity::warning, id, i18n::text(id + ".title"), i18n::text(id + ".detail"),
            util::sanitize(d->comment, 300), i18n::text("headers.auth.dmarc-fail.fix"));
    } else if (d->result == "temperror" || d->result == "permerror") {
      r.add(Severity::warning, "headers.auth.dmarc-error", i18n::format("headers.auth.dmarc-error.title", {d->result}),
            i18n::text("headers.auth.dmarc-error.detail"));
    }
  }
  if (const auto* s = first(v, "spf")) {
    if (s->result == "fail" || s->result == "softfail" || s->result == "permerror" || s->result == "temperror") {
      r.add(Severity::warning, "headers.auth.spf-" + s->result,
            i18n::format("headers.auth.spf.title", {s->result, util::sanitize(s->property("smtp.mailfrom"), 100)}),
            i18n::text("headers.auth.spf.detail"), util::sanitize(s->comment, 300), i18n::text("headers.auth.spf.fix"));
    }
  }
  bool dkim_pass = false;
  bool dkim_fail = false;
  bool dkim_any = false;
  for (const auto& [id, res] : v.trusted) {
    if (res.method != "dkim") continue;
    dkim_any = true;
    dkim_pass = dkim_pass || res.result == "pass";
    dkim_fail = dkim_fail || res.result == "fail" || res.result == "permerror";
  }
  if (dkim_fail && !dkim_pass) {
    r.add(Severity::warning, "headers.auth.dkim-fail", i18n::text("headers.auth.dkim-fail.title"),
          i18n::text("headers.auth.dkim-fail.detail"));
  }
  if (const auto* c = first(v, "compauth"); c != nullptr && c->result == "fail") {
    r.add(Severity::warning, "headers.auth.compauth-fail",
          i18n::format("headers.auth.compauth-fail.title", {util::sanitize(c->reason, 20)}),
          i18n::text("headers.auth.compauth-fail.detail"));
  }
  if (const auto* a = first(v, "arc"); a != nullptr && a->result == "fail") {
    r.add(Severity::info, "headers.auth.arc-fail", i18n::text("headers.auth.arc-fail.title"), i18n::text("headers.auth.arc-fail.detail"));
  }
  (void)dkim_any;
}

/// DMARC alignment of the From: domain with the SPF and DKIM identities, stated plainly.
void add_alignment(report::Report& r, const Facts& f, const Verdicts& v, const std::vector<std::string>& signed_domains,
                   nlohmann::json& out) {
  if (f.from_domain.empty()) return;
  auto& s = r.add_section(i18n::format("headers.section.alignment",
                                       {util::sanitize(f.from_domain, 100),
                                        util::sanitize(message::organizational_domain(f.from_domain), 100)}),
                          {i18n::text("headers.col.identity"), i18n::text("headers.col.domain"), i18n::text("headers.col.result"),
                           i18n::text("headers.col.aligned")});
  nlohmann::json al =
      report::object("from_domain", f.from_domain, "from_org_domain", message::organizational_domain(f.from_domain));
  bool aligned_pass = false;
  const auto* spf = first(v, "spf");
  std::string spf_domain = spf ? message::domain_of(std::string(spf->property("smtp.mailfrom"))) : std::string();
  if (spf && spf_domain.empty()) spf_domain = util::to_lower(spf->property("smtp.mailfrom"));  // a bare domain
  if (spf_domain.empty()) spf_domain = f.return_path_domain;
  if (!spf_domain.empty()) {
    const auto a = message::alignment(f.from_domain, spf_domain);
    const std::string result = spf ? spf->result : "(no verdict)";  // also the JSON value: stays English
    s.rows.push_back({text("headers.row.spf-envelope"), util::sanitize(spf_domain, 100),
                      spf ? util::sanitize(result, 20) : text("headers.auth.no-verdict"), std::string(message::to_string(a))});
    aligned_pass = aligned_pass || (result == "pass" && a != message::Alignment::none);
    al["spf"] = report::object("domain", spf_domain, "result", result, "alignment", std::string(message::to_string(a)));
  }
  std::vector<std::string> seen;
  for (const auto& [id, res] : v.trusted) {
    if (res.method != "dkim") continue;
    std::string d = util::to_lower(res.property("header.d"));
    if (d.empty()) d = message::domain_of(std::string(res.property("header.i")));
    if (d.empty()) continue;
    seen.push_back(d);
    const auto a = message::alignment(f.from_domain, d);
    s.rows.push_back({"DKIM d=", util::sanitize(d, 100), util::sanitize(res.result, 20), std::string(message::to_string(a))});
    aligned_pass = aligned_pass || (res.result == "pass" && a != message::Alignment::none);
    al["dkim"].push_back(report::object("domain", d, "result", res.result, "alignment", std::string(message::to_string(a))));
  }
  for (const auto& d : signed_domains) {  // signatures no verdict mentions
    if (d.empty() || std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
    const auto a = message::alignment(f.from_domain, d);
    s.rows.push_back({"DKIM d=", util::sanitize(d, 100), text("headers.auth.no-verdict"), std::string(message::to_string(a))});
    al["dkim"].push_back(report::object("domain", d, "result", nullptr, "alignment", std::string(message::to_string(a))));
  }
  al["aligned_pass"] = aligned_pass;
  out["alignment"] = std::move(al);
  const bool have_verdicts = first(v, "spf") != nullptr || first(v, "dkim") != nullptr;
  if (have_verdicts && !aligned_pass && first(v, "dmarc") == nullptr) {
    r.add(Severity::warning, "headers.auth.unaligned",
          i18n::format("headers.auth.unaligned.title", {util::sanitize(f.from_domain, 100)}),
          text("headers.auth.unaligned.detail"), {},
          i18n::format("headers.auth.unaligned.fix", {util::sanitize(f.from_domain, 100)}));
  }
}

}  // namespace

void add_authentication(report::Report& r, const Facts& f) {
  nlohmann::json out = nlohmann::json::object();
  auto& s = r.add_section(i18n::text("headers.section.auth"), {i18n::text("headers.col.method"), i18n::text("headers.col.result"),
                                                         i18n::text("headers.col.about"), i18n::text("headers.col.reported-by")});
  const Verdicts v = collect(f, s, out);
  std::vector<std::string> signed_domains;
  add_signatures(f, s, out, signed_domains);
  if (s.rows.empty()) {
    r.sections.pop_back();
    r.add(Severity::info, "headers.auth.none", text("headers.auth.none.title"), text("headers.auth.none.detail"));
  }
  if (v.untrusted > 0) {
    r.add(Severity::info, "headers.auth.untrusted",
          i18n::format("headers.auth.untrusted.title", {std::to_string(v.untrusted)}),
          i18n::format("headers.auth.untrusted.detail", {std::to_string(v.untrusted_line)}));
  }
  judge_results(r, v);
  add_alignment(r, f, v, signed_domains, out);
  r.data["authentication"] = std::move(out);
}

}  // namespace maildiag::app::headers_detail
