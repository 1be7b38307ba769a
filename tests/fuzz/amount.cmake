# Fuzz target of the amounts a person types: yuan (eb_sale_price_parse),
# fen/counts (eb_parse_i64) and decimal scores (eb_fix_parse).
eb_fuzzer(NAME amount_fuzzer SOURCE tests/fuzz/amount_fuzzer.c
  LIBS eb_core_sale eb_core_fixed eb_base
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/amount_corpus)
