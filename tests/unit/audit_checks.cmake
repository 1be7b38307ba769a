# tools/audit_checks.c: the checks' threads and the replay fed by a log
# still being read (ebid-audit verify --db), the end of the feed included.
eb_unit_test(NAME test_audit_checks SOURCES tests/unit/test_audit_checks.c
  LIBS eb_audit)
