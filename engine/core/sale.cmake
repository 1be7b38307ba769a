# eb_core_sale: listing-then-auction sales (engine/core/sale.h, docs/sale.md).
add_library(eb_core_sale STATIC engine/core/sale.c)
target_link_libraries(eb_core_sale PUBLIC eb_core_cmd eb_core_subject eb_base)
