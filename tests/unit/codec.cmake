# Unit tests of the XML codec and the error document (protocol/xml.c,
# protocol/errdoc.c).  The test reads the real master schema from the
# source tree (or from $EBID_SRC when set).
eb_unit_test(NAME test_xml SOURCES tests/unit/test_xml.c LIBS eb_xml Threads::Threads)
target_compile_definitions(test_xml PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
