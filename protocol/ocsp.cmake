# eb_ocsp: OCSP requests and the check of a responder's answer
# (protocol/ocsp.c; issue 21 point 3); ebidd's asynchronous client is
# engine/server/ocspclient.c.  docs/operations-server.md, Revocation by OCSP.
add_library(eb_ocsp STATIC protocol/ocsp.c)
target_link_libraries(eb_ocsp PUBLIC eb_crypto PkgConfig::OPENSSL)
