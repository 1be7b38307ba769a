# tests/integration/conn_cap.cmake
#    refuse_connections_above: 503 too-many-connections instead of a hang
#    (tests/integration/test_conn_cap.sh).  Label "integration".
add_test(NAME integration_conn_cap
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_conn_cap.sh)
set_tests_properties(integration_conn_cap PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
