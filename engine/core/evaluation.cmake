# Expert draw, scoring and ranking (engine/core/{fixed,draw,evaluation,pool}).
# Pure core libraries: libc + eb_base (SHA-256 through protocol/hash.h).
add_library(eb_core_fixed STATIC engine/core/fixed.c)
target_link_libraries(eb_core_fixed PUBLIC eb_base)
add_library(eb_core_draw STATIC engine/core/draw.c)
target_link_libraries(eb_core_draw PUBLIC eb_base)
add_library(eb_core_pool STATIC engine/core/pool.c)
target_link_libraries(eb_core_pool PUBLIC eb_core_registers eb_core_subject eb_core_cmd eb_base)
add_library(eb_core_evaluation STATIC engine/core/evaluation.c)
target_link_libraries(eb_core_evaluation PUBLIC eb_core_fixed eb_core_draw eb_base)
