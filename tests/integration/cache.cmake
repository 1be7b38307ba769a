# tests/integration/cache.cmake
#    The aggregate cache bounded by memory: evicted aggregates still
#    served (tests/integration/test_cache.sh).
add_test(NAME integration_cache
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_cache.sh)
set_tests_properties(integration_cache PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
