# ebid's one verb table (tools/verbs.c, issue 16 point 5): every entry is
# reachable and in the real `ebid --help`.
add_executable(verbs_table tests/unit/verbs_table.c)
target_link_libraries(verbs_table PRIVATE eb_verbs)
set_target_properties(verbs_table PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME verbs_table COMMAND verbs_table $<TARGET_FILE:ebid>)
set_tests_properties(verbs_table PROPERTIES LABELS unit)
