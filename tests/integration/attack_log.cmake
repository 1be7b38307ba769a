# The attacks on the log's trust of issue 20 (points 3, 4, 7, 8), each
# replayed through the real ebidd, client and ebid-audit
# (tests/integration/test_attack_log.sh).  Label "integration".
add_test(NAME integration_attack_log
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_attack_log.sh)
set_tests_properties(integration_attack_log PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
