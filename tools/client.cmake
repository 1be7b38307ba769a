# eb_client: the HTTPS mutual-TLS client library of the tools (ebid,
# ebid-audit, ebid-load).  See tools/client.h.
add_library(eb_client STATIC tools/client.c)
target_link_libraries(eb_client PUBLIC eb_xml eb_base PkgConfig::LIBEVENT PkgConfig::OPENSSL)
