# Unit tests of process monitoring (engine/core/monitor.cmake).
eb_unit_test(NAME test_monitor SOURCES tests/unit/test_monitor.c LIBS eb_core_monitor eb_flow_fixture)
