# ebidd holds no tender or sale state name (issue 16): the names come from
# the core, and engine/server/*.c,*.h must not quote any of them.
add_executable(server_state_names tests/unit/server_state_names.c
    tests/unit/csource.c)
target_link_libraries(server_state_names PRIVATE eb_core_flows)
set_target_properties(server_state_names PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME server_state_names
         COMMAND server_state_names ${CMAKE_SOURCE_DIR})
set_tests_properties(server_state_names PROPERTIES LABELS unit)
