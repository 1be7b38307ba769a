# tests/data/hints/check.cmake: CTest hint_catalogue_fixture (README.md).
#   cmake -DPROG=hint_catalogue -DDIR=tests/data/hints -P check.cmake
execute_process(COMMAND ${PROG} ${DIR} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "hint_catalogue on the fixture exited ${rc}, not 1:\n${out}${err}")
endif()
# the findings as sorted lists (the walk follows readdir()); a ';' in a
# finding would split a CMake list
function(lines text var)
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  list(SORT text)
  set(${var} "${text}" PARENT_SCOPE)
endfunction()
lines("${err}" got)
file(READ ${DIR}/expected.txt want)
lines("${want}" want)
if(NOT got STREQUAL want)
  string(REPLACE ";" "\n" g "${got}")
  string(REPLACE ";" "\n" w "${want}")
  message(FATAL_ERROR "the findings differ.\n-- got:\n${g}\n-- want (expected.txt):\n${w}")
endif()
execute_process(COMMAND ${PROG} ${DIR} --list RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_QUIET)
file(READ ${DIR}/expected-list.txt want)
if(NOT rc EQUAL 0 OR NOT out STREQUAL want)
  message(FATAL_ERROR "--list (exit ${rc}) differs from expected-list.txt:\n${out}")
endif()
execute_process(COMMAND ${PROG} ${DIR} --todo RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_QUIET)
foreach(line "<h en=\"Without translation.\" zh=\"\"/>"
             "<!-- stale, line 13: no code gives it -->")
  string(FIND "${out}" "${line}" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "--todo (exit ${rc}) lacks ${line}:\n${out}")
  endif()
endforeach()
message(STATUS "the fixture's hints and findings are as expected")
