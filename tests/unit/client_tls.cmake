# The tools' TLS client context (tools/client.c eb_client_tls_ctx): the
# chain a client sends, seen by an OpenSSL server over a BIO pair.
eb_unit_test(NAME test_client_tls SOURCES tests/unit/test_client_tls.c LIBS eb_client eb_testpki eb_crypto)
