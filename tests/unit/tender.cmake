# Unit tests of the tender state machine (engine/core/tender.c); the
# shared fixture is the library eb_tender_fixture
# (tests/unit/tender_fixture.{c,h}).
add_library(eb_tender_fixture STATIC tests/unit/tender_fixture.c)
target_link_libraries(eb_tender_fixture PUBLIC eb_core_tender)
eb_unit_test(NAME test_tender SOURCES tests/unit/test_tender.c LIBS eb_tender_fixture)
eb_unit_test(NAME test_tender_table SOURCES tests/unit/test_tender_table.c LIBS eb_tender_fixture)
eb_unit_test(NAME test_tender_property SOURCES tests/unit/test_tender_property.c LIBS eb_tender_fixture)
# Exhaustive and long random runs, allocation-bound (eb_doc clones and
# canonical views): ~40 s in build/ on an idle machine, 4-7 times that
# under ASan+UBSan, and past 900 s when the ASan phase shares two cores with
# the integration suite; the bound is a hang, not their cost.
set_tests_properties(test_tender_table test_tender_property PROPERTIES TIMEOUT 2400)
