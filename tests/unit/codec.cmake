# Unit tests of the XML codec and the error document (protocol/xml.c,
# protocol/errdoc.c).  The test reads the real master schema from the
# source tree (or from $EBID_SRC when set).
eb_unit_test(NAME test_xml SOURCES tests/unit/test_xml.c LIBS eb_xml Threads::Threads)
target_compile_definitions(test_xml PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")

# Not a test: a measurement of parse + validate for a ~100 KiB document,
# run by hand (build/tests/bench/xml_bench [iterations]).
add_executable(xml_bench tests/bench/xml_bench.c)
target_link_libraries(xml_bench PRIVATE eb_xml)
set_target_properties(xml_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
