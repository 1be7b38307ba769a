# Fuzz target of ebidd's configuration parser (eb_config_parse in
# engine/server/config.c, compiled in: ebidd has no library target).
eb_fuzzer(NAME config_fuzzer
  SOURCE tests/fuzz/config_fuzzer.c ${CMAKE_SOURCE_DIR}/engine/server/config.c
  LIBS eb_base
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/config_corpus)
