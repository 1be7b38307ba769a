# eb_fileio: whole-file reads and writes for the tools (tools/fileio.h).
add_library(eb_fileio STATIC tools/fileio.c)
target_link_libraries(eb_fileio PUBLIC eb_base)
