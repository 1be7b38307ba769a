# tests/integration/dev.cmake
#    test_dev_setup: what `tools/dev setup` made (certificates, PostgreSQL
#    roles, `tools/dev env`).  Needs the environment tools/dev test exports
#    (tests/README.md).
add_test(NAME test_dev_setup
         COMMAND ${CMAKE_SOURCE_DIR}/tests/integration/test_dev_setup.sh)
set_tests_properties(test_dev_setup PROPERTIES LABELS integration TIMEOUT 120)
