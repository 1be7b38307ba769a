# tests/integration/ocds.cmake
#    A whole tender and the case-study sale, their logs turned into OCDS
#    1.1.5 open data by ebid-audit export --ocds and validated against the
#    standard's schemas and codelists (tests/integration/test_ocds.sh).
add_test(NAME integration_ocds
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_ocds.sh)
set_tests_properties(integration_ocds PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
