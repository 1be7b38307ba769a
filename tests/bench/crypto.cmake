# crypto_bench: us per operation of eb_crypto next to raw OpenSSL figures
# (a report, not a CTest).  Owner: cryptography engineer.
add_executable(crypto_bench tests/bench/crypto_bench.c)
target_link_libraries(crypto_bench PRIVATE eb_testpki eb_crypto)
set_target_properties(crypto_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
