# The public board of ebidd walked page by page while a tender and a sale
# run (tests/integration/test_board.sh).  Label "integration".
add_test(NAME integration_board
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_board.sh)
set_tests_properties(integration_board PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
