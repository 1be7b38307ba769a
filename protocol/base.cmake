# eb_base: the plain types every layer shares (errors, buffers, the document
# tree and its canonical form, SHA-256, instants).  libc, libcrypto's hash
# and libxml2's tree + C14N (protocol/canon.h: the one producer of hashed
# bytes; no parsing); engine/core links it.
add_library(eb_base STATIC
  protocol/err.c protocol/mem.c protocol/actor.c protocol/buf.c protocol/doc.c protocol/hash.c protocol/isotime.c
  protocol/entry.c protocol/canon.c)
target_link_libraries(eb_base PUBLIC PkgConfig::OPENSSL PkgConfig::LIBXML2)
