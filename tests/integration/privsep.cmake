# Privilege separation (tests/integration/test_privsep.sh): ebidd's key
# process and its unprivileged, filtered network process, checked from
# /proc (user, seccomp, memory), then the tender flow with the signing key
# apart.  PostgreSQL and ebidd on free ports.  Label "integration".
add_test(NAME integration_privsep
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_privsep.sh)
set_tests_properties(integration_privsep PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
