# Lifetime defects of ebidd (tests/integration/test_lifetime.sh): SIGTERM
# with watch queries in flight, a black-holed database.  Free ports.
add_test(NAME integration_lifetime
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_lifetime.sh)
set_tests_properties(integration_lifetime PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
