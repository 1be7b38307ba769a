eb_unit_test(NAME test_doc SOURCES tests/unit/test_doc.c LIBS eb_base)

# The registry of refusal reasons (protocol/reasons.txt, issue 16): every
# token the sources give or match is registered and used, each literal
# code agrees with its status; docs/reasons.md is the registry's page.
add_executable(reason_registry tests/unit/reason_registry.c)
target_link_libraries(reason_registry PRIVATE eb_base)
set_target_properties(reason_registry PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME reason_registry COMMAND reason_registry ${CMAKE_SOURCE_DIR})
add_test(NAME reasons_doc
         COMMAND ${CMAKE_COMMAND} -E compare_files ${EB_REASONS_MD} ${CMAKE_SOURCE_DIR}/docs/reasons.md)
set_tests_properties(reason_registry reasons_doc PROPERTIES LABELS unit)
