# Corpus replay: each fuzz target (tests/fuzz/fuzz_<name>.cpp) is also built with replay_main.cpp
# by the normal build (any compiler, no libFuzzer) and registered as the ctest test
# fuzz_replay.<name> (label unit). It feeds every seed in corpus/<name>/ and every regression
# input in regressions/<name>/ to the target, so plain and sanitized test runs re-check them all.
# Included from tests/CMakeLists.txt.

set(MAILDIAG_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
file(GLOB fuzz_target_sources CONFIGURE_DEPENDS ${MAILDIAG_FUZZ_DIR}/fuzz_*.cpp)

add_library(maildiag_fuzz_replay_main OBJECT ${MAILDIAG_FUZZ_DIR}/replay_main.cpp)
maildiag_warnings(maildiag_fuzz_replay_main)

foreach(src IN LISTS fuzz_target_sources)
  get_filename_component(stem ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name ${stem})
  add_executable(fuzz_replay_${name} ${src} $<TARGET_OBJECTS:maildiag_fuzz_replay_main>)
  target_include_directories(fuzz_replay_${name} PRIVATE ${MAILDIAG_FUZZ_DIR})
  target_link_libraries(fuzz_replay_${name} PRIVATE maildiag_io)
  maildiag_warnings(fuzz_replay_${name})
  add_test(NAME fuzz_replay.${name}
           COMMAND fuzz_replay_${name} ${MAILDIAG_FUZZ_DIR}/corpus/${name}
                   --allow-empty ${MAILDIAG_FUZZ_DIR}/regressions/${name})
  set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS unit TIMEOUT 300)
endforeach()
