# tests/integration/lookup_plans.cmake
#    The duplicate look-ups' generic plans on a large log without
#    statistics (tests/integration/test_lookup_plans.sh runs
#    test_lookup_plans against its throwaway PostgreSQL).
add_test(NAME integration_lookup_plans
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_lookup_plans.sh)
set_tests_properties(integration_lookup_plans PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")

add_executable(test_lookup_plans tests/integration/test_lookup_plans.c)
target_link_libraries(test_lookup_plans PRIVATE PkgConfig::LIBPQ)
set_target_properties(test_lookup_plans PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration)
