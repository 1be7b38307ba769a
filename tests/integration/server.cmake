# The ebidd end-to-end test: throwaway PostgreSQL and ebidd on free ports
# (tests/integration/test_server.sh).  Label "integration".
add_test(NAME integration_server
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_server.sh)
set_tests_properties(integration_server PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")

# The store against a real PostgreSQL; run by test_server.sh after the
# migrations (it needs the throwaway cluster the script starts).
add_executable(test_store tests/integration/test_store.c)
target_link_libraries(test_store PRIVATE eb_store eb_base PkgConfig::LIBPQ PkgConfig::LIBEVENT)
set_target_properties(test_store PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration)

# The client library against the running ebidd; run by test_server.sh.
add_executable(test_client tests/integration/test_client.c)
target_link_libraries(test_client PRIVATE eb_client eb_xml eb_base)
set_target_properties(test_client PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration)
