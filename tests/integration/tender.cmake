# A whole tender end to end, then its audit (tests/integration/
# test_tender_flow.sh): PostgreSQL and ebidd on free ports.  Label "integration".
add_test(NAME integration_tender
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_tender_flow.sh)
set_tests_properties(integration_tender PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
