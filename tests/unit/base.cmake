eb_unit_test(NAME test_doc SOURCES tests/unit/test_doc.c LIBS eb_base)
