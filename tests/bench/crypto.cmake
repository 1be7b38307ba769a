# crypto_bench: us per operation of eb_crypto next to raw OpenSSL figures
# (a report, not a CTest).  Owner: cryptography engineer.
add_executable(crypto_bench tests/bench/crypto_bench.c)
target_link_libraries(crypto_bench PRIVATE eb_testpki eb_crypto)
set_target_properties(crypto_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
# verify_bench: eb_cms_verify with and without the cache of verified signers,
# signing by reference, and the SHA-256 + ECDSA floor (issue 17 point 2).
add_executable(verify_bench tests/bench/verify_bench.c)
target_link_libraries(verify_bench PRIVATE eb_testpki eb_crypto)
set_target_properties(verify_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
