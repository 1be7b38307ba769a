# tests/data/msgs/check.cmake: CTest msg_catalogue_fixture (README.md).
#   cmake -DPROG=msg_catalogue -DDIR=tests/data/msgs -P check.cmake
execute_process(COMMAND ${PROG} ${DIR} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "msg_catalogue on the fixture exited ${rc}, not 1:\n${out}${err}")
endif()
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
# --list: each reason and the entry its message reads
execute_process(COMMAND ${PROG} ${DIR} --list RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_QUIET)
foreach(line "alpha\tmsg:alpha" "delta\tfallback" "epsilon\tfallback"
             "5 reasons: 3 with their own message, 1 through the fallbacks; 5 figures")
  string(FIND "${out}" "${line}" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "--list (exit ${rc}) lacks ${line}:\n${out}")
  endif()
endforeach()
message(STATUS "the fixture's messages and findings are as expected")
