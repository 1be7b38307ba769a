# bigopen_bench: opening N large bids (streamed envelopes) against the
# summed AES-256-GCM + SHA-256 cost (tests/bench/run phase "bigbids").
add_executable(bigopen_bench tests/bench/bigopen_bench.c)
target_link_libraries(bigopen_bench PRIVATE eb_crypto eb_testpki)
set_target_properties(bigopen_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
