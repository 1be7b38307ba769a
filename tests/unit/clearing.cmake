# Unit tests of the opened bid model and automatic clearing.  test_clearing
# also clears the sample bids of tests/data/bids/ (read through eb_xml and
# validated against protocol/xsd/ebid.xsd).
eb_unit_test(NAME test_bid SOURCES tests/unit/test_bid.c LIBS eb_core_bid)
eb_unit_test(NAME test_clearing SOURCES tests/unit/test_clearing.c
             LIBS eb_core_clearing eb_xml)
target_compile_definitions(test_clearing PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
