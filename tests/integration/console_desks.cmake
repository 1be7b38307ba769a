# The officers', bidders', custodians' and buyers' desks of `ebid console`
# in headless Chromium, with the public board on
# (tests/integration/test_console_desks.sh, tests/browser/desks.mjs).
add_test(NAME integration_console_desks
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_console_desks.sh)
set_tests_properties(integration_console_desks PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
