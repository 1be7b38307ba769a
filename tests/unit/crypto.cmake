# Unit tests of eb_crypto (protocol/{pki,cms,receipt,keysplit}.c) and the
# in-memory test PKI they share.  Owner: cryptography engineer.
add_library(eb_testpki STATIC tests/unit/testpki.c)
target_link_libraries(eb_testpki PUBLIC eb_crypto)
eb_unit_test(NAME test_pki SOURCES tests/unit/test_pki.c LIBS eb_testpki eb_crypto)
eb_unit_test(NAME test_cms SOURCES tests/unit/test_cms.c LIBS eb_testpki eb_crypto)
eb_unit_test(NAME test_receipt SOURCES tests/unit/test_receipt.c LIBS eb_testpki eb_crypto)
eb_unit_test(NAME test_keysplit SOURCES tests/unit/test_keysplit.c LIBS eb_testpki eb_crypto)
eb_unit_test(NAME test_envstream SOURCES tests/unit/test_envstream.c LIBS eb_testpki eb_crypto)
eb_unit_test(NAME test_certcache SOURCES tests/unit/test_certcache.c LIBS eb_testpki eb_crypto)
