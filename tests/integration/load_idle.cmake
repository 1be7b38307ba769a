# tests/integration/load_idle.cmake
#    The load generator's idle scenario (tools/ebid-load.c, idle and
#    idle --distinct) on a real ebidd: every connection opened and held,
#    and with --distinct one party per connection in ebidd's whoami
#    (tests/integration/test_load_idle.sh).
add_test(NAME integration_load_idle
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_load_idle.sh)
set_tests_properties(integration_load_idle PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
