# Fuzz target for the opened bid model and automatic clearing: trees are
# built from the input bytes (tests/fuzz/bid_fuzzer.c); XML parsing is
# fuzzed by the codec's own target.
eb_fuzzer(NAME bid_fuzzer SOURCE tests/fuzz/bid_fuzzer.c
          LIBS eb_core_clearing
          CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/bid_corpus)
