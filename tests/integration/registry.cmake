# The centre's registries (tests/integration/test_registry.sh): trading
# subjects, authorised representatives, qualifications and integrity
# findings enforced at sign-up and bid, through the real ebidd; the logs
# verified and replayed by ebid-audit.  Label "integration".
add_test(NAME integration_registry
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_registry.sh)
set_tests_properties(integration_registry PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
