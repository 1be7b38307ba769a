# eb_crypto: certificates and trust, CMS signing/sealing/opening, RFC 3161
# receipts and inclusion proofs, and the split opening key
# (protocol/{pki,revocation,cms,receipt,inclusion,keysplit}.c).
# Owner: cryptography engineer.  See docs/crypto.md.
add_library(eb_crypto STATIC
  protocol/pki.c protocol/certcache.c protocol/revocation.c protocol/cms.c protocol/receipt.c
  protocol/keysplit.c protocol/inclusion.c protocol/envstream.c)
target_link_libraries(eb_crypto PUBLIC eb_base PkgConfig::OPENSSL PkgConfig::GFSHARE)
