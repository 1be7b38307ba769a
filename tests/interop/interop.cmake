# tests/interop: ebid held to tools it did not write (tests/interop/README.md).
# canon_hostile + test_c14n.sh: the canonical form against `xmllint --c14n`.
add_executable(canon_hostile tests/interop/canon_hostile.c)
target_link_libraries(canon_hostile PRIVATE eb_xml eb_base)
set_target_properties(canon_hostile PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/interop)
add_test(NAME interop_c14n
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/interop/test_c14n.sh ${CMAKE_BINARY_DIR}/tests/interop/canon_hostile)
set_tests_properties(interop_c14n PROPERTIES LABELS unit TIMEOUT 60)
# check_logs.sh: the logs committed under tests/data/logs/ (exported by
# earlier versions) verify and replay, offline, to their committed
# timelines; a later rules version is refused clearly (docs/audit.md).
add_test(NAME logs_replay
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/interop/check_logs.sh $<TARGET_FILE:ebid-audit>)
set_tests_properties(logs_replay PROPERTIES LABELS unit TIMEOUT 300)
