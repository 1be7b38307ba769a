# Unit tests of the listing-then-auction sale (engine/core/sale.h); the
# case-study script is read from the source tree.
eb_unit_test(NAME test_sale SOURCES tests/unit/test_sale.c LIBS eb_core_sale)
target_compile_definitions(test_sale PRIVATE EB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
