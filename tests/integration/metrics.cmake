# tests/integration/metrics.cmake
#    ebidd's Prometheus metrics checked with promtool and moved by a
#    scenario (tests/integration/test_metrics.sh).
add_test(NAME integration_metrics
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_metrics.sh)
set_tests_properties(integration_metrics PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
