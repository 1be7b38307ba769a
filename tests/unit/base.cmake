eb_unit_test(NAME test_doc SOURCES tests/unit/test_doc.c LIBS eb_base)

# The registry of refusal reasons (protocol/reasons.txt, issue 16): every
# token the sources give or match is registered and used, each literal
# code agrees with its status; docs/reasons.md is the registry's page.
add_executable(reason_registry tests/unit/reason_registry.c tests/unit/csource.c)
target_link_libraries(reason_registry PRIVATE eb_base)
set_target_properties(reason_registry PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME reason_registry COMMAND reason_registry ${CMAKE_SOURCE_DIR})
add_test(NAME reasons_doc
         COMMAND ${CMAKE_COMMAND} -E compare_files ${EB_REASONS_MD} ${CMAKE_SOURCE_DIR}/docs/reasons.md)
set_tests_properties(reason_registry reasons_doc PROPERTIES LABELS unit)

# The desks' hints in Chinese: every literal hint of eb_fail() and its
# helpers has an <h en= zh=> in tools/console/strings.xml, none there is
# stale (docs/console.md, "Hints in Chinese").  Target hints-todo prints
# the entries still to translate.
add_executable(hint_catalogue tests/unit/hint_catalogue.c tests/unit/csource.c)
target_link_libraries(hint_catalogue PRIVATE PkgConfig::LIBXML2)
set_target_properties(hint_catalogue PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME hint_catalogue COMMAND hint_catalogue ${CMAKE_SOURCE_DIR})
set_tests_properties(hint_catalogue PROPERTIES LABELS unit)
add_custom_target(hints-todo
  COMMAND hint_catalogue ${CMAKE_SOURCE_DIR} --todo
  DEPENDS hint_catalogue
  COMMENT "The hints without a Chinese translation in tools/console/strings.xml"
  VERBATIM)
add_test(NAME hint_catalogue_fixture
         COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:hint_catalogue>
                 -DDIR=${CMAKE_SOURCE_DIR}/tests/data/hints
                 -P ${CMAKE_SOURCE_DIR}/tests/data/hints/check.cmake)
set_tests_properties(hint_catalogue_fixture PROPERTIES LABELS unit)

# The refusals' messages in Chinese: every reason of protocol/reasons.txt
# reads as a sentence on the Chinese desk (its own <m id="msg:REASON"> in
# tools/console/strings.xml, or the fallbacks with its why: label), no
# entry is stale, every {NAME} is a figure tools/console.c fills
# (docs/console.md, "Refusals in Chinese").  The fixture checks each
# finding on tests/data/msgs.
add_executable(msg_catalogue tests/unit/msg_catalogue.c tests/unit/csource.c)
target_link_libraries(msg_catalogue PRIVATE PkgConfig::LIBXML2)
set_target_properties(msg_catalogue PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/unit)
add_test(NAME msg_catalogue COMMAND msg_catalogue ${CMAKE_SOURCE_DIR})
add_test(NAME msg_catalogue_fixture
         COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:msg_catalogue>
                 -DDIR=${CMAKE_SOURCE_DIR}/tests/data/msgs
                 -P ${CMAKE_SOURCE_DIR}/tests/data/msgs/check.cmake)
set_tests_properties(msg_catalogue msg_catalogue_fixture PROPERTIES LABELS unit)
