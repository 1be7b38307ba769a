# Large bids (tests/integration/test_bigbids.sh): a 200 MB bid sealed in
# bounded memory, uploaded in resumable chunks (cut, ebidd restarted,
# resumed), stored outside the log, opened from the store.  Free ports.
add_test(NAME integration_bigbids
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_bigbids.sh)
set_tests_properties(integration_bigbids PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
