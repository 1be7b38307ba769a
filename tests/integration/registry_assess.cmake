# Assessment after each job (tests/integration/test_registry_assess.sh):
# the centre's criteria on the expert pool, ratings of seated experts by
# the supervisor, the draw's rating rule excluding an expert, through the
# real ebidd; the pool's log verified with the tender's it rests on.
# Label "integration".
add_test(NAME integration_registry_assess
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_registry_assess.sh)
set_tests_properties(integration_registry_assess PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
