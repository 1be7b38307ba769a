# ebid-flowdoc: the tender's state diagram (DOT, text) and role matrix
# (Markdown), generated from the transition table in engine/core/tender.c.
add_executable(ebid-flowdoc tools/ebid-flowdoc.c)
target_link_libraries(ebid-flowdoc PRIVATE eb_core_tender)
set_target_properties(ebid-flowdoc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# docs/tender-flow.md must hold exactly what the table generates.
add_test(NAME flowdoc_in_sync
         COMMAND ebid-flowdoc check ${CMAKE_SOURCE_DIR}/docs/tender-flow.md)
set_tests_properties(flowdoc_in_sync PROPERTIES LABELS unit)
