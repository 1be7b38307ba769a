# Unit tests of trading subjects and the admission check (engine/core/subject.cmake).
eb_unit_test(NAME test_subject SOURCES tests/unit/test_subject.c LIBS eb_core_subject eb_flow_fixture)
