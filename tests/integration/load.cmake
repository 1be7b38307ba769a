# tests/integration/load.cmake
#    The load generator's race (tools/ebid-load.c) on a real ebidd: lean,
#    split and evhttp connections count what ebidd counted
#    (tests/integration/test_load.sh).
add_test(NAME integration_load
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_load.sh)
set_tests_properties(integration_load PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
