# engine/server/replyxml.c: a reply's XML written straight from the tree,
# byte for byte eb_xml_write's (libxml2's C14N), on many random trees.
eb_unit_test(NAME test_replyxml SOURCES tests/unit/test_replyxml.c tests/unit/randtree.c
  ${CMAKE_SOURCE_DIR}/engine/server/replyxml.c LIBS eb_xml)
