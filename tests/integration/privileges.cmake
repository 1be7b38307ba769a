# Least privilege in the database (tests/integration/test_privileges.sh):
# ebidd as ebid_server, migrations as the owner.  Free ports.
add_test(NAME integration_privileges
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_privileges.sh)
set_tests_properties(integration_privileges PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
