# eb_core_registers: what the register aggregates (subject, pool, monitor)
# share: who sees the whole record, the role and attribute refusals, no
# timers (engine/core/registers.h).
add_library(eb_core_registers STATIC engine/core/registers.c)
target_link_libraries(eb_core_registers PUBLIC eb_core_cmd eb_base)
