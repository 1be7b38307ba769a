# One subject per credit code, decided by the database
# (tests/integration/test_registry_race.sh): two registrations of one code
# at once, through two ebidd on one database and through one ebidd's group
# commit; one accepted, the other refused credit-code-registered.
# Label "integration".
add_test(NAME integration_registry_race
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_registry_race.sh)
set_tests_properties(integration_registry_race PROPERTIES
  LABELS integration TIMEOUT 900 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
