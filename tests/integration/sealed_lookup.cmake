# tests/integration/sealed_lookup.cmake
#    A sealed bid's look-up answered by the cached tender, or by the
#    database (tests/integration/test_sealed_lookup.sh).
add_test(NAME integration_sealed_lookup
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_sealed_lookup.sh)
set_tests_properties(integration_sealed_lookup PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
