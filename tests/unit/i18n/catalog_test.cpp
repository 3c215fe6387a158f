#include "maildiag/codes/classify.hpp"
#include "maildiag/codes/enhanced.hpp"
#include "maildiag/i18n/catalog.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace maildiag;

namespace {
}  // namespace

TEST_CASE("every message id exists in both English and Chinese", "[i18n]") {
  const auto en_ids = i18n::ids(i18n::Lang::en);
  const auto zh_ids = i18n::ids(i18n::Lang::zh);
  std::set<std::string_view> en(en_ids.begin(), en_ids.end());
  std::set<std::string_view> zh(zh_ids.begin(), zh_ids.end());
  CHECK(en.size() == en_ids.size());  // no duplicate ids
  CHECK(zh.size() == zh_ids.size());
  for (auto id : en) {
    INFO(id);
    CHECK(zh.count(id) == 1);
  }
  for (auto id : zh) {
    INFO(id);
    // Chinese also translates the registry titles, which English takes from the IANA table.
    if (id.rfind("enhanced.", 0) == 0 || id.rfind("subject.", 0) == 0) continue;
    CHECK(en.count(id) == 1);
  }
  for (const auto& e : codes::enhanced_registry()) {
    const std::string id = "enhanced." + std::to_string(e.subject) + "." + std::to_string(e.detail);
    INFO(id);
    CHECK(zh.count(id) == 1);
  }
  for (const auto& r : codes::all_reasons()) {
    INFO(r.name);
    CHECK(en.count("reason." + std::string(r.name)) == 1);
    CHECK(en.count("reason." + std::string(r.name) + ".fix") == 1);
  }
}

namespace {
std::size_t placeholders(std::string_view text) {
  std::size_t n = 0;
  for (auto at = text.find("{}"); at != std::string_view::npos; at = text.find("{}", at + 2)) ++n;
  return n;
}
}  // namespace

TEST_CASE("a translation takes as many arguments as its English original", "[i18n]") {
  for (auto id : i18n::ids(i18n::Lang::en)) {
    i18n::set_language(i18n::Lang::en);
    const std::string en(i18n::msg(id));
    i18n::set_language(i18n::Lang::zh);
    const std::string zh(i18n::msg(id));
    i18n::set_language(i18n::Lang::en);
    INFO(id << "\n  en: " << en << "\n  zh: " << zh);
    CHECK(placeholders(en) == placeholders(zh));
    CHECK_FALSE(zh.empty());
  }
}

TEST_CASE("the classifier explains in the chosen language; protocol tokens stay", "[i18n]") {
  i18n::ScopedLanguage zh(i18n::Lang::zh);
  auto r = codes::parse_reply("550 5.1.1 <bob@mail.test>: Recipient address rejected: User unknown");
  REQUIRE(r);
  auto c = codes::classify(*r);
  CHECK(c.enhanced_meaning == "目标邮箱地址错误");
  CHECK(c.remediation.find("检查地址") != std::string::npos);
  CHECK(std::string(codes::to_string(c.reason)) == "user-unknown");  // stable name, untranslated
  CHECK(std::string(codes::code_meaning(550)).find("邮箱不可用") != std::string::npos);
}

TEST_CASE("language from the environment and from --lang values", "[i18n]") {
  CHECK(i18n::lang_from_string("zh_CN.UTF-8") == i18n::Lang::zh);
  CHECK(i18n::lang_from_string("en_US") == i18n::Lang::en);
  CHECK(i18n::lang_from_string("C.UTF-8") == i18n::Lang::en);
  CHECK_FALSE(i18n::lang_from_string("fr_FR"));
  CHECK(i18n::format("classify.blocklist_fix", {"zen.spamhaus.org"}).find("zen.spamhaus.org") != std::string::npos);
  CHECK(i18n::msg("no.such.id") == "no.such.id");
}
