# The loopback test bed as a CTest fixture. include()d by tests/CMakeLists.txt.
#
# Defines:
#   fixture  testbed            setup: testbed.up, cleanup: testbed.down
#   test     testbed.selfcheck  label integration, runs tests/testbed/check
#   MAILDIAG_TESTBED_DIR        run dir used by the fixture (one per build tree)
#   MAILDIAG_TESTBED_ENV        the env file `up` writes there (KEY=VALUE lines,
#                               see docs/testing.md); read it from tests
#   MAILDIAG_TESTBED_AVAILABLE  ON when this machine can run the test bed
#                               (root, and the server packages installed)
#
# When the test bed cannot run here (not root, or scripts/setup-testbed not
# run), `up` exits 77 and is reported as skipped. CTest still runs the tests
# that require the fixture after a *skipped* setup (only a *failed* setup
# stops them), so such a test must skip itself when the env file does not
# exist (testbed.selfcheck exits 77 then). A failed `up` leaves no env file.
#
# Pin the run dir with -DMAILDIAG_TESTBED_ENV=/some/dir/testbed.env.

set(_tb_home ${CMAKE_CURRENT_LIST_DIR})

if(MAILDIAG_TESTBED_ENV)
  get_filename_component(MAILDIAG_TESTBED_DIR "${MAILDIAG_TESTBED_ENV}" DIRECTORY)
  get_filename_component(_tb_name "${MAILDIAG_TESTBED_ENV}" NAME)
  if(NOT _tb_name STREQUAL "testbed.env")
    message(FATAL_ERROR "MAILDIAG_TESTBED_ENV must name a file called testbed.env (got ${MAILDIAG_TESTBED_ENV})")
  endif()
else()
  # One run dir per build tree, so two build trees never share (or stop)
  # each other's test bed; under /tmp because every parent must be o+x (P17).
  string(MD5 _tb_hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${_tb_hash}" 0 10 _tb_hash)
  set(MAILDIAG_TESTBED_DIR "/tmp/maildiag-tb-${_tb_hash}")
  set(MAILDIAG_TESTBED_ENV "${MAILDIAG_TESTBED_DIR}/testbed.env")
endif()

set(MAILDIAG_TESTBED_AVAILABLE OFF)
execute_process(COMMAND id -u OUTPUT_VARIABLE _tb_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
find_program(_tb_postfix postfix PATHS /usr/sbin NO_CACHE)
find_program(_tb_dovecot dovecot PATHS /usr/sbin NO_CACHE)
find_program(_tb_nsd nsd PATHS /usr/sbin NO_CACHE)
if(_tb_uid STREQUAL "0" AND _tb_postfix AND _tb_dovecot AND _tb_nsd)
  set(MAILDIAG_TESTBED_AVAILABLE ON)
endif()
message(STATUS "maildiag test bed: ${MAILDIAG_TESTBED_ENV} (available: ${MAILDIAG_TESTBED_AVAILABLE})")

set(_tb_env "MAILDIAG_TB_DIR=${MAILDIAG_TESTBED_DIR}")

add_test(NAME testbed.up COMMAND ${_tb_home}/up)
set_tests_properties(testbed.up PROPERTIES
  FIXTURES_SETUP testbed
  ENVIRONMENT "${_tb_env}"
  SKIP_RETURN_CODE 77
  TIMEOUT 60
  LABELS integration)

add_test(NAME testbed.down COMMAND ${_tb_home}/down)
set_tests_properties(testbed.down PROPERTIES
  FIXTURES_CLEANUP testbed
  ENVIRONMENT "${_tb_env}"
  SKIP_RETURN_CODE 77
  TIMEOUT 60
  LABELS integration)

add_test(NAME testbed.selfcheck COMMAND ${_tb_home}/check)
set_tests_properties(testbed.selfcheck PROPERTIES
  FIXTURES_REQUIRED testbed
  ENVIRONMENT "${_tb_env};MAILDIAG_TB_ENV=${MAILDIAG_TESTBED_ENV}"
  SKIP_RETURN_CODE 77
  TIMEOUT 180
  LABELS integration)

unset(_tb_home)
unset(_tb_hash)
unset(_tb_name)
unset(_tb_uid)
unset(_tb_env)
