# Retry-safe commands (tests/integration/test_idempotent.sh): every
# command idempotent on its signed bytes.  Free ports.
add_test(NAME integration_idempotent
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_idempotent.sh)
set_tests_properties(integration_idempotent PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
