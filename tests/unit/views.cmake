# Unit test of who sees what (the views of engine/core/tender_view.c and
# engine/core/sale.c): every state, every role, against allowlists.
eb_unit_test(NAME test_views SOURCES tests/unit/test_views.c LIBS eb_tender_fixture eb_core_tender eb_core_sale)
