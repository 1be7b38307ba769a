# `ebid console` (tools/console.c): its guards with curl, then the experts'
# scoring and the committee's signatures in headless Chromium
# (tests/integration/test_console.sh, tests/browser/console.mjs).
add_test(NAME integration_console
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_console.sh)
set_tests_properties(integration_console PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
