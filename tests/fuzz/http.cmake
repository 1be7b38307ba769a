# Fuzz target of ebidd's HTTP request path: evhttp as eb_http_start() sets
# it up, ebidd's connection admission, route() and small handlers
# (engine/server/conns.c, http.c and handlers.c are #included by the
# target, with the TLS layer replaced: see tests/fuzz/http_fuzzer.c).
eb_fuzzer(NAME http_fuzzer
  SOURCE tests/fuzz/http_fuzzer.c ${CMAKE_SOURCE_DIR}/engine/server/config.c
         ${CMAKE_SOURCE_DIR}/engine/server/clock.c ${CMAKE_SOURCE_DIR}/engine/server/log.c
         ${CMAKE_SOURCE_DIR}/engine/server/replyxml.c ${CMAKE_SOURCE_DIR}/engine/server/idmap.c
  LIBS eb_crypto eb_xml eb_base PkgConfig::LIBEVENT PkgConfig::OPENSSL
  CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/http_corpus)
