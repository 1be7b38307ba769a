# eb_core_cmd: roles, actors, commands (engine/core/cmd.h, flow.h).
add_library(eb_core_cmd STATIC engine/core/cmd.c)
target_link_libraries(eb_core_cmd PUBLIC eb_base)
