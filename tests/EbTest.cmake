# Test helpers shared by every module's fragment.
#
#   eb_unit_test(NAME name SOURCES a.c ... LIBS lib ...)
#       A CMocka test binary tests/unit/<name>, registered with CTest under
#       the label "unit".
#   eb_fuzzer(NAME name SOURCE f.c ... LIBS lib ... CORPUS dir)
#       With EB_FUZZ (clang): a libFuzzer binary.  Otherwise the same
#       target linked to tests/fuzz/driver.c, and one CTest that replays
#       every file of the committed corpus (label "fuzz").
function(eb_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS unit TIMEOUT 900)
endfunction()

function(eb_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCE;LIBS" ${ARGN})
  if(EB_FUZZ)
    add_executable(${F_NAME} ${F_SOURCE})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${F_NAME} ${F_SOURCE} ${CMAKE_SOURCE_DIR}/tests/fuzz/driver.c)
  endif()
  target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
  set_target_properties(${F_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz)
  if(NOT EB_FUZZ)
    add_test(NAME ${F_NAME}_corpus COMMAND ${F_NAME} ${F_CORPUS})
    set_tests_properties(${F_NAME}_corpus PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endfunction()
