# Fuzz target of the unified social credit code check (GB 32100-2015,
# eb_subject_code_valid in engine/core/subject.c).  Owner: fuzzing engineer.
eb_fuzzer(NAME credit_code_fuzzer SOURCE tests/fuzz/credit_code_fuzzer.c
  LIBS eb_core_subject
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/credit_code_corpus)
