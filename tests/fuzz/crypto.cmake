# Fuzz targets of eb_crypto: CMS SignedData verification (+ strict base64)
# and RFC 3161 token verification.  Owner: cryptography engineer.
eb_fuzzer(NAME cms_fuzzer SOURCE tests/fuzz/cms_fuzzer.c LIBS eb_crypto
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/cms_corpus)
eb_fuzzer(NAME tsa_fuzzer SOURCE tests/fuzz/tsa_fuzzer.c LIBS eb_crypto
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/tsa_corpus)
eb_fuzzer(NAME crl_fuzzer SOURCE tests/fuzz/crl_fuzzer.c LIBS eb_crypto
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/crl_corpus)
