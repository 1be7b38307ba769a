# eb_base: the plain types every layer shares (errors, buffers, the document
# tree and its canonical form, SHA-256, instants).  libc, libcrypto's hash
# and libxml2's tree + C14N (protocol/canon.h: the one producer of hashed
# bytes; no parsing); engine/core links it.
add_library(eb_base STATIC
  protocol/err.c protocol/mem.c protocol/actor.c protocol/buf.c protocol/doc.c protocol/hash.c protocol/isotime.c
  protocol/entry.c protocol/canon.c protocol/keyframe.c)
target_link_libraries(eb_base PUBLIC PkgConfig::OPENSSL PkgConfig::LIBXML2)

# The registry of refusal reasons: protocol/reasons.txt -> the table
# protocol/reasons.c includes, and the page docs/reasons.md (a build copy
# that CTest reasons_doc compares; target reasons-doc rewrites docs/).
set(EB_REASONS_INC ${CMAKE_BINARY_DIR}/protocol/reasons_table.inc)
set(EB_REASONS_MD ${CMAKE_BINARY_DIR}/docs/reasons.md)
add_custom_command(
  OUTPUT ${EB_REASONS_INC} ${EB_REASONS_MD}
  COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/protocol/reasons.txt
          -DOUT_C=${EB_REASONS_INC} -DOUT_MD=${EB_REASONS_MD}
          -P ${CMAKE_SOURCE_DIR}/tools/cmake/reasons.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/protocol/reasons.txt ${CMAKE_SOURCE_DIR}/tools/cmake/reasons.cmake
  COMMENT "Generating the reason table and docs/reasons.md from protocol/reasons.txt"
  VERBATIM)
target_sources(eb_base PRIVATE protocol/reasons.c ${EB_REASONS_INC} ${EB_REASONS_MD})
set_source_files_properties(protocol/reasons.c PROPERTIES
  INCLUDE_DIRECTORIES ${CMAKE_BINARY_DIR}/protocol)
add_custom_target(reasons-doc
  COMMAND ${CMAKE_COMMAND} -E copy ${EB_REASONS_MD} ${CMAKE_SOURCE_DIR}/docs/reasons.md
  DEPENDS ${EB_REASONS_MD}
  COMMENT "docs/reasons.md from protocol/reasons.txt")
