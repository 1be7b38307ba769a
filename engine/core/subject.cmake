# eb_core_subject: trading subjects (交易主体) and the admission check a
# tender or a sale runs on them (engine/core/subject.h, docs/registries.md).
add_library(eb_core_subject STATIC engine/core/subject.c)
target_link_libraries(eb_core_subject PUBLIC eb_core_registers eb_core_cmd eb_base)
