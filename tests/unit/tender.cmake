# Unit tests of the tender state machine (engine/core/tender.c); the
# shared fixture is tests/unit/tender_fixture.h.
eb_unit_test(NAME test_tender SOURCES tests/unit/test_tender.c LIBS eb_core_tender)
eb_unit_test(NAME test_tender_table SOURCES tests/unit/test_tender_table.c LIBS eb_core_tender)
eb_unit_test(NAME test_tender_property SOURCES tests/unit/test_tender_property.c LIBS eb_core_tender)
