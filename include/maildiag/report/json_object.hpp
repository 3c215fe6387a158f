#pragma once
// An nlohmann object built from key, value, key, value...: json{{"k", v}, ...} (the
// initializer-list constructor) copies every value, strings included, and first tests whether
// the list is an object at all; object("k", v, ...) moves each value into the map once. For
// reports built many times a run (`headers` over an mbox: one per hop and per result).

#include <nlohmann/json.hpp>

#include <utility>

namespace maildiag::report {

namespace detail {
inline void put(nlohmann::json::object_t&) {}

template <class V, class... Rest>
void put(nlohmann::json::object_t& o, const char* key, V&& value, Rest&&... rest) {
  o.emplace(key, nlohmann::json(std::forward<V>(value)));
  put(o, std::forward<Rest>(rest)...);
}
}  // namespace detail

template <class... KeyValues>
nlohmann::json object(KeyValues&&... kv) {
  static_assert(sizeof...(KeyValues) % 2 == 0, "object(): key, value pairs");
  nlohmann::json j(nlohmann::json::value_t::object);
  detail::put(j.get_ref<nlohmann::json::object_t&>(), std::forward<KeyValues>(kv)...);
  return j;
}

}  // namespace maildiag::report
