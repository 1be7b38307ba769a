# eb_console: `ebid console`, the party's desk in a browser (tools/console.h,
# pages in tools/console/).  Joins ebid (tools/ebid.cmake) when built.
if(NOT TARGET PkgConfig::LIBXSLT)
  pkg_check_modules(LIBXSLT REQUIRED IMPORTED_TARGET libxslt)
endif()
add_library(eb_console STATIC tools/console.c)
target_link_libraries(eb_console PUBLIC eb_verbs eb_core_evaluation eb_client
  eb_fileio eb_xml eb_pagefn eb_base PkgConfig::LIBEVENT PkgConfig::OPENSSL PkgConfig::LIBXSLT)
target_compile_definitions(eb_console PRIVATE
  EB_CONSOLE_PAGES="${EB_CONSOLE_DIR}"
  EB_XSD_DEFAULT="${EB_XSD_DIR}/ebid.xsd")
