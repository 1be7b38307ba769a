# Process monitoring (tests/integration/test_registry_monitor.sh): the
# centre's monitor fed by ebidd's observations and tender checks; each
# alert raised by a scenario that should raise it and none by a clean
# tender of the demo's shape; alerts closed with a reason; the monitor's
# log verified with the tenders' logs.  Label "integration".
add_test(NAME integration_registry_monitor
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_registry_monitor.sh)
set_tests_properties(integration_registry_monitor PROPERTIES
  LABELS integration TIMEOUT 1200 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
