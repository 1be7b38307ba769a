# tests/integration/audit.cmake
#    The auditor's promise of issue 13 on the demo's real logs: replay
#    verifies first, exit codes, tail truncation against signed heads, the
#    canonical form against an independent verifier (tests/interop/)
#    (tests/integration/test_audit.sh).  Label "integration".
add_test(NAME integration_audit
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_audit.sh)
set_tests_properties(integration_audit PROPERTIES
  LABELS integration TIMEOUT 2400 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
