# protocol/pagefn.c: 大写, Beijing time, the pages' XSLT functions.
eb_unit_test(NAME test_pagefn SOURCES tests/unit/test_pagefn.c LIBS eb_pagefn)
