# keyproc_bench: the cost of privilege separation per receipt and per
# chain head signature (engine/server/keyproc.c against the same work in
# process); a report, not a CTest.  keyproc_bench CERTS_DIR [N].
add_executable(keyproc_bench tests/bench/keyproc_bench.c
  ${CMAKE_SOURCE_DIR}/engine/server/keyproc.c ${CMAKE_SOURCE_DIR}/engine/server/privdrop.c
  ${CMAKE_SOURCE_DIR}/engine/server/config.c
  ${CMAKE_SOURCE_DIR}/engine/server/log.c ${CMAKE_SOURCE_DIR}/engine/server/clock.c)
target_link_libraries(keyproc_bench PRIVATE eb_opening eb_crypto eb_xml eb_base Threads::Threads
  PkgConfig::LIBSECCOMP)
set_target_properties(keyproc_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
