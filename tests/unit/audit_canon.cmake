# tools/audit_canon.c: ebid-audit's entry hash from the stored canonical
# bytes and its direct canonical writer, against libxml2's C14N
# (eb_canon, eb_entry_hash, eb_doc_equal) on many random trees.
eb_unit_test(NAME test_audit_canon SOURCES tests/unit/test_audit_canon.c tests/unit/randtree.c
  LIBS eb_audit)
