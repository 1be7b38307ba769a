# eb_pagefn: 大写 amounts and Beijing time for the people's pages, and the
# XSLT functions (ebf:daxie, ebf:beijing) the console's and the board's
# stylesheets call (protocol/pagefn.h).
if(NOT TARGET PkgConfig::LIBXSLT)
  pkg_check_modules(LIBXSLT REQUIRED IMPORTED_TARGET libxslt)
endif()
add_library(eb_pagefn STATIC protocol/pagefn.c)
target_link_libraries(eb_pagefn PUBLIC eb_base PkgConfig::LIBXSLT)
