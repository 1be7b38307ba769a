# tests/integration/package.cmake
#    The Debian packages built, linted, unpacked and run
#    (tests/integration/test_package.sh).  Not in a sanitizer build: the
#    package is built from the sources with Debian's flags, the same in
#    both passes of tools/dev test.
if(NOT EB_SANITIZE)
  add_test(NAME integration_package
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_package.sh)
  set_tests_properties(integration_package PROPERTIES
    LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
    ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
endif()
