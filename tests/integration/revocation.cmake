# Revocation (tests/integration/test_revocation.sh): CRLs, SIGHUP,
# ebid-audit verify --crl.  Free ports.
add_test(NAME integration_revocation
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_revocation.sh)
set_tests_properties(integration_revocation PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
