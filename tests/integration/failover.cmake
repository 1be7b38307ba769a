# No bid lost on a database failover (tests/integration/test_failover.sh):
# primary + synchronous standby, promote mid-surge.  Free ports.
add_test(NAME integration_failover
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_failover.sh)
set_tests_properties(integration_failover PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
