# tests/integration/dev_up.cmake
#    test_dev_up: `tools/dev up --test-clock=...` and `tools/dev clock`
#    (issue 14 point 15) with the real ebidd, on the PostgreSQL of var/pg
#    that tools/dev sets up (EBID_PGPORT as tools/dev test exports it).
add_test(NAME integration_dev_up
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_dev_up.sh)
set_tests_properties(integration_dev_up PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
