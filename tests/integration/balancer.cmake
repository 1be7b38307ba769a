# Several ebidd behind HAProxy (tests/integration/test_balancer.sh):
# one killed mid-surge, timers once.  Free ports.
add_test(NAME integration_balancer
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_balancer.sh)
set_tests_properties(integration_balancer PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
