# eb_core_flows: the registry of aggregate kinds (tender, sale, pool) that
# ebidd and ebid-audit share.
add_library(eb_core_flows STATIC engine/core/flows.c)
target_link_libraries(eb_core_flows PUBLIC eb_core_tender eb_core_sale eb_core_pool eb_core_subject eb_core_monitor)
