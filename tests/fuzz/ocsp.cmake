# Fuzz target of the check of an OCSP responder's answer (protocol/ocsp.c,
# eb_ocsp_check); the committed corpus is replayed by CTest
# (ocsp_fuzzer_corpus); tests/fuzz/ocsp_seeds.sh wrote it.
eb_fuzzer(NAME ocsp_fuzzer SOURCE tests/fuzz/ocsp_fuzzer.c
  LIBS eb_ocsp eb_crypto CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/ocsp_corpus)
