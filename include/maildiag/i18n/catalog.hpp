#pragma once
/// The message catalog: explanation and remediation sentences by id, in English and Simplified
/// Chinese. The language is chosen once at start-up (--lang, or LC_ALL / LC_MESSAGES / LANG).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maildiag::i18n {

enum class Lang { en, zh };

void set_language(Lang lang);
Lang language();
/// "en", "zh", "zh_CN", "zh_CN.UTF-8", "zh-Hans" ...; nullopt when unknown.
std::optional<Lang> lang_from_string(std::string_view s);
/// The language the environment asks for (LC_ALL, then LC_MESSAGES, then LANG); English otherwise.
Lang lang_from_environment();

/// The sentence for id in the current language; English when the language lacks it; the id
/// itself when no catalog has it (a bug the tests catch).
std::string_view msg(std::string_view id);
/// msg() as a std::string, for building report rows and sentences.
std::string text(std::string_view id);
/// As msg(), but fallback (not the id) when the current language and English both lack it.
std::string_view msg_or(std::string_view id, std::string_view fallback);
/// msg(id) with each "{}" replaced by the next argument.
std::string format(std::string_view id, const std::vector<std::string>& args);

std::vector<std::string_view> ids(Lang lang);   ///< every id of a catalog, for tests

/// Sets the language for a scope and restores the one before it (the JSON `data` worded in
/// English whatever the text view's language; tests).
class ScopedLanguage {
 public:
  explicit ScopedLanguage(Lang lang) : saved_(language()) { set_language(lang); }
  ~ScopedLanguage() { set_language(saved_); }
  ScopedLanguage(const ScopedLanguage&) = delete;
  ScopedLanguage& operator=(const ScopedLanguage&) = delete;

 private:
  Lang saved_;
};

/// f() with the catalog in English: for values that go to the JSON `data` (a stable schema).
template <typename F>
auto in_english(F f) {
  const ScopedLanguage english(Lang::en);
  return f();
}

}  // namespace maildiag::i18n
