# The HTTP-level attacks of issue 20 (points 5, 6, 9) replayed against the
# real ebidd: descriptor exhaustion, slow clients, framing a proxy would
# read otherwise, weak TLS 1.2 suites (tests/integration/test_attack_http.sh).
# PostgreSQL and ebidd on free ports.  Label "integration".
add_test(NAME integration_attack_http
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_attack_http.sh)
set_tests_properties(integration_attack_http PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
