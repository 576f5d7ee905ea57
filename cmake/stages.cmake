# One static library per pipeline stage, and the layer table the build enforces.
#
#   pbrc_stage(NAME [DEPENDS STAGE...] [HEADERS HEADER...] [LIBS TARGET...])
#
# builds src/NAME/*.cc (not *_test.cc, and not main.cc, which is an executable's) into
# pbrc_NAME. DEPENDS names earlier stages only;
# the stage may include the headers of those stages and of everything they depend on, and
# links them. HEADERS are the public headers (include/pbrc/) the stage owns. LIBS are outside
# libraries the stage's own sources use. Adding a stage is one pbrc_stage() line in
# CMakeLists.txt, in layer order; a header, a folder or an include the table does not allow
# fails the build (cmake/check_layers.cmake, run by the pbrc_check_layers target).

function(pbrc_stage name)
  cmake_parse_arguments(STAGE "" "" "DEPENDS;HEADERS;LIBS" ${ARGN})
  foreach(dep IN LISTS STAGE_DEPENDS)
    if(NOT TARGET pbrc_${dep})
      message(FATAL_ERROR "stage '${name}' depends on '${dep}', which is not an earlier stage")
    endif()
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  list(FILTER sources EXCLUDE REGEX "(_test|/main)\\.cc$")
  add_library(pbrc_${name} STATIC ${sources})
  # Only include/ is public; a stage's internal headers are included relative to the file.
  target_include_directories(pbrc_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_compile_options(pbrc_${name} PRIVATE ${PBRC_WARNINGS})
  list(TRANSFORM STAGE_DEPENDS PREPEND pbrc_ OUTPUT_VARIABLE dep_targets)
  target_link_libraries(pbrc_${name} PUBLIC ${dep_targets} ${STAGE_LIBS})
  # Nothing compiles before the include check passed.
  add_dependencies(pbrc_${name} pbrc_check_layers)

  set_property(GLOBAL APPEND PROPERTY PBRC_STAGES ${name})
  string(REPLACE ";" " " deps "${STAGE_DEPENDS}")
  string(REPLACE ";" " " headers "${STAGE_HEADERS}")
  set_property(GLOBAL APPEND_STRING PROPERTY PBRC_LAYER_TABLE
               "set(DEPENDS_${name} ${deps})\nset(HEADERS_${name} ${headers})\n")
endfunction()

# Writes the table for the check and adds the check to ALL. Call after the last pbrc_stage().
# GENERATED: headers made at build time (in GEN) that sources include; made before the check.
function(pbrc_layer_check)
  cmake_parse_arguments(CHECK "" "" "GENERATED" ${ARGN})
  get_property(stages GLOBAL PROPERTY PBRC_STAGES)
  get_property(table GLOBAL PROPERTY PBRC_LAYER_TABLE)
  string(REPLACE ";" " " stage_words "${stages}")
  set(table_file ${CMAKE_BINARY_DIR}/layer_table.cmake)
  file(CONFIGURE OUTPUT ${table_file}
       CONTENT "# From the pbrc_stage() calls in CMakeLists.txt.\nset(STAGES ${stage_words})\n${table}")
  file(GLOB_RECURSE checked CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*.cc
       ${PROJECT_SOURCE_DIR}/src/*.h ${PROJECT_SOURCE_DIR}/include/pbrc/*)
  set(stamp ${CMAKE_BINARY_DIR}/layer_check.stamp)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -DTABLE=${table_file} -DGEN=${GEN}
            -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${checked} ${table_file} ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
            ${CHECK_GENERATED}
    COMMENT "Checking every #include against the layer table")
  add_custom_target(pbrc_check_layers ALL DEPENDS ${stamp})
endfunction()
