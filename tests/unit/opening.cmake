eb_unit_test(NAME test_opening SOURCES tests/unit/test_opening.c LIBS eb_opening eb_testpki)
target_compile_definitions(test_opening PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
