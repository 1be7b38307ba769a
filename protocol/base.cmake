# eb_base: the plain types every layer shares (errors, buffers, the document
# tree, SHA-256, instants).  libc + libcrypto's hash only; engine/core links it.
add_library(eb_base STATIC
  protocol/err.c protocol/mem.c protocol/actor.c protocol/buf.c protocol/doc.c protocol/hash.c protocol/isotime.c
  protocol/entry.c)
target_link_libraries(eb_base PUBLIC PkgConfig::OPENSSL)
