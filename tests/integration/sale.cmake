# Sales end to end (tests/integration/test_sale_flow.sh): PostgreSQL and
# ebidd on free ports.  Label "integration".
add_test(NAME integration_sale
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_sale_flow.sh)
set_tests_properties(integration_sale PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
