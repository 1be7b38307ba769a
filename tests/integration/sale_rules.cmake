# Sale rules of issue 14 (points 10, 11, 13, 14; tests/integration/
# test_sale_rules.sh): PostgreSQL and ebidd on free ports.  Label
# "integration".
add_test(NAME integration_sale_rules
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_sale_rules.sh)
set_tests_properties(integration_sale_rules PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
