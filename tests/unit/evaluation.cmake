# Unit tests of the expert draw, scoring and ranking (engine/core/evaluation.cmake).
eb_unit_test(NAME test_fixed SOURCES tests/unit/test_fixed.c LIBS eb_core_fixed)
eb_unit_test(NAME test_draw SOURCES tests/unit/test_draw.c LIBS eb_core_draw)
eb_unit_test(NAME test_evaluation SOURCES tests/unit/test_evaluation.c LIBS eb_core_evaluation eb_flow_fixture)
eb_unit_test(NAME test_pool SOURCES tests/unit/test_pool.c LIBS eb_core_pool eb_core_draw eb_flow_fixture)
