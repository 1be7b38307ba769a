# tests/integration/batch_fast.cmake
#    schema/0017's eb_append_batch() against 0015's, batch for batch, and
#    0017 on a database with data (tests/integration/test_batch_fast.sh)
add_test(NAME integration_batch_fast
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_batch_fast.sh)
set_tests_properties(integration_batch_fast PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
