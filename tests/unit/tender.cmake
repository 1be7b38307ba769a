# Unit tests of the tender state machine (engine/core/tender.c); the
# shared fixture is the library eb_tender_fixture
# (tests/unit/tender_fixture.{c,h}).
add_library(eb_tender_fixture STATIC tests/unit/tender_fixture.c)
target_link_libraries(eb_tender_fixture PUBLIC eb_core_tender)
eb_unit_test(NAME test_tender SOURCES tests/unit/test_tender.c LIBS eb_tender_fixture)
eb_unit_test(NAME test_tender_table SOURCES tests/unit/test_tender_table.c LIBS eb_tender_fixture)
eb_unit_test(NAME test_tender_property SOURCES tests/unit/test_tender_property.c LIBS eb_tender_fixture)
