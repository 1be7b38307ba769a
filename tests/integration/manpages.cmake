# tests/integration/manpages.cmake
#    test_manpages: docs/man/ lints clean with mandoc, names every verb and
#    option of the tools' --help and every key of ebidd's configuration,
#    and is installed by cmake --install (needs the built tools).
add_test(NAME integration_manpages
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_manpages.sh)
set_tests_properties(integration_manpages PROPERTIES
  LABELS integration TIMEOUT 120
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
