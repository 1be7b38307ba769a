# The opening certificate's path (tests/integration/test_opening_cert.sh):
# authority, policy, period, tender; ebid bid seal checks.  Free ports.
add_test(NAME integration_opening_cert
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_opening_cert.sh)
set_tests_properties(integration_opening_cert PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
