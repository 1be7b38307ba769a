# Backups that restore (tests/integration/test_backup.sh): base backup,
# WAL archive, the restore drill.  Free ports.
add_test(NAME integration_backup
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_backup.sh)
set_tests_properties(integration_backup PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
