# OCSP (protocol/ocsp.c): responses made by OpenSSL's responder API with
# the in-memory test PKI (tests/unit/testpki.c).
eb_unit_test(NAME test_ocsp SOURCES tests/unit/test_ocsp.c LIBS eb_ocsp eb_testpki eb_crypto)
