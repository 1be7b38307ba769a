# Fuzz target of the XML codec; without EB_FUZZ it replays the committed
# corpus tests/fuzz/xml_corpus/ as the CTest xml_fuzzer_corpus.
eb_fuzzer(NAME xml_fuzzer SOURCE tests/fuzz/xml_fuzzer.c LIBS eb_xml
          CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/xml_corpus)
target_compile_definitions(xml_fuzzer PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
