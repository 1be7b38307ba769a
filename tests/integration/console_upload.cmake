# The console's bid desk with a large bid (tests/integration/test_console_upload.sh):
# sealed and uploaded in the background, progress polled, the upload cut and
# resumed, the receipt verified.  curl only (no browser).  Free ports.
add_test(NAME integration_console_upload
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_console_upload.sh)
set_tests_properties(integration_console_upload PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
