# The tenderer's rating of the agency (tests/integration/test_registry_agency.sh):
# a tender's registration naming its agency (refused unless a registered
# agency in good standing), the agency criteria on the expert pool, the
# ratings of the tenderer and the supervisor after the close, who sees
# them, ebid-audit's replay of both.  Label "integration".
add_test(NAME integration_registry_agency
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_registry_agency.sh)
set_tests_properties(integration_registry_agency PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
