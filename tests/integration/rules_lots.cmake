# A tender in lots with linked discounts and factors declared in the bid,
# issue 14 point 4 (tests/integration/test_rules_lots.sh): PostgreSQL and
# ebidd on free ports.  Label "integration".
add_test(NAME integration_rules_lots
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_rules_lots.sh)
set_tests_properties(integration_rules_lots PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
