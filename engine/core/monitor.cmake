# eb_core_monitor: process monitoring (交易过程监控), the alerts of the
# supervision office (engine/core/monitor.h, docs/registries.md).
add_library(eb_core_monitor STATIC engine/core/monitor.c)
target_link_libraries(eb_core_monitor PUBLIC eb_core_registers eb_core_cmd eb_base)
