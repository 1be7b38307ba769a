# Fuzz targets of the score sheet and of the tender's rules, read from XML
# with the real schema (tests/fuzz/fuzz_schema.h) like ebidd reads them.
eb_fuzzer(NAME scoresheet_fuzzer SOURCE tests/fuzz/scoresheet_fuzzer.c
  LIBS eb_core_evaluation eb_xml eb_base
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/scoresheet_corpus)
target_compile_definitions(scoresheet_fuzzer PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
eb_fuzzer(NAME rules_fuzzer SOURCE tests/fuzz/rules_fuzzer.c
  LIBS eb_core_tender eb_core_clearing eb_core_evaluation eb_xml eb_base
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/rules_corpus)
target_compile_definitions(rules_fuzzer PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
