# The early refusal of stale raises (tests/integration/test_sale_early.sh):
# PostgreSQL and ebidd on free ports.  Label "integration".
add_test(NAME integration_sale_early
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_sale_early.sh)
set_tests_properties(integration_sale_early PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
