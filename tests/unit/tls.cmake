# engine/server/tls.c: the server's TLS context in memory (BIO pairs, the
# in-memory test PKI): client certificates shared between connections,
# each handshake still checked (chain, revocation lists).
eb_unit_test(NAME test_tls SOURCES tests/unit/test_tls.c
  ${CMAKE_SOURCE_DIR}/engine/server/tls.c LIBS eb_testpki eb_crypto)
