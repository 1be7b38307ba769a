# ebid-load: the load generator of the benchmarks (tools/ebid-load.c,
# tests/bench/run, docs/performance.md).  Owner: performance engineer.
add_executable(ebid-load tools/ebid-load.c)
target_link_libraries(ebid-load PRIVATE eb_client eb_crypto eb_xml eb_base
  PkgConfig::LIBEVENT PkgConfig::OPENSSL)
set_target_properties(ebid-load PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
