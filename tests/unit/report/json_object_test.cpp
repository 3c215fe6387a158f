// report::object(key, value, ...) builds the same tree as nlohmann's initializer list, and takes
// its string values by move (the reason it exists).

#include "maildiag/report/json_object.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using maildiag::report::object;
using Json = nlohmann::json;

TEST_CASE("report::object equals the initializer-list object it replaces", "[report][json]") {
  const std::optional<int> none;
  const Json built = object("b", 1, "a", std::string("x"), "n", nullptr, "t", true, "nested",
                            object("z", 2.5, "y", Json::array({1, 2})), "opt", none ? Json(*none) : Json(nullptr));
  const Json expected = {{"a", "x"}, {"b", 1}, {"n", nullptr}, {"t", true},
                         {"nested", {{"y", {1, 2}}, {"z", 2.5}}}, {"opt", nullptr}};
  CHECK(built == expected);
  CHECK(built.dump() == expected.dump());
  CHECK(object().is_object());
  CHECK(object().empty());
}

TEST_CASE("report::object moves a string value into the tree", "[report][json]") {
  std::string long_text(1000, 'q');  // beyond the small-string buffer: a move leaves it empty
  const char* const bytes = long_text.data();
  const Json j = object("text", std::move(long_text));
  CHECK(j.at("text").get_ref<const std::string&>().data() == bytes);  // the same buffer, not a copy
}
