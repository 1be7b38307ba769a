# Unit tests of the tender state machine (engine/core/tender.c).
eb_unit_test(NAME test_tender_table SOURCES tests/unit/test_tender_table.c LIBS eb_core_tender)
