# eb_core_bid: the opened bid model (engine/core/bid.h).
# eb_core_clearing: automatic bid clearing, the clearing report
# (engine/core/clearing.h, docs/clearing.md).  Pure: eb_base only.
add_library(eb_core_bid STATIC engine/core/bid.c)
target_link_libraries(eb_core_bid PUBLIC eb_base)
add_library(eb_core_clearing STATIC engine/core/clearing.c)
target_link_libraries(eb_core_clearing PUBLIC eb_core_bid eb_base)
