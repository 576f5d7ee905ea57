# Checks every quoted #include of src/STAGE/ and include/pbrc/ against the layer table
# (cmake/stages.cmake): a file may include its own stage's headers and those of the stages
# its stage depends on, directly or through them. Fails, listing each offending include,
# when a file includes a later stage, a public header no stage owns, or a folder of src/ is
# not a stage. Module tests (*_test.cc) are exempt: they link everything.
#
#   cmake -DROOT=SOURCE_DIR -DTABLE=BUILD/layer_table.cmake [-DGEN=GENERATED_DIR] -P this
cmake_minimum_required(VERSION 3.25)
include(${TABLE})

# The stages each stage may use: itself and the closure of its dependencies (which are
# earlier stages, so their closures are already known).
foreach(stage IN LISTS STAGES)
  set(ALLOWED_${stage} ${stage})
  foreach(dep IN LISTS DEPENDS_${stage})
    list(APPEND ALLOWED_${stage} ${ALLOWED_${dep}})
  endforeach()
  list(REMOVE_DUPLICATES ALLOWED_${stage})
  foreach(header IN LISTS HEADERS_${stage})
    set(OWNER_${header} ${stage})
  endforeach()
endforeach()

set(errors "")

# The stage a file belongs to: its folder under src/, or the owner of a public header.
function(stage_of path out)
  set(stage "")
  if(path MATCHES "^${ROOT}/src/([^/]+)/[^/]+$")
    if(CMAKE_MATCH_1 IN_LIST STAGES)
      set(stage ${CMAKE_MATCH_1})
    endif()
  elseif(path MATCHES "^${ROOT}/include/pbrc/([^/]+)$")
    set(stage "${OWNER_${CMAKE_MATCH_1}}")
  endif()
  set(${out} "${stage}" PARENT_SCOPE)
endfunction()

file(GLOB files ${ROOT}/src/*/* ${ROOT}/include/pbrc/*)
list(SORT files)
foreach(file IN LISTS files)
  if(file MATCHES "_test\\.cc$" OR NOT file MATCHES "\\.(cc|h|def)$")
    continue()
  endif()
  file(RELATIVE_PATH rel ${ROOT} ${file})
  stage_of(${file} stage)
  if(stage STREQUAL "")
    list(APPEND errors "${rel}: not in the layer table (add a pbrc_stage() line or HEADERS entry)")
    continue()
  endif()
  get_filename_component(dir ${file} DIRECTORY)
  file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" inc "${line}")
    if(inc MATCHES "^pbrc/")
      set(target ${ROOT}/include/${inc})
    else()
      get_filename_component(target ${dir}/${inc} ABSOLUTE)
    endif()
    if(NOT EXISTS ${target})
      # Bison's and Flex's headers (made before the check) belong to the stage that
      # includes them.
      if(DEFINED GEN AND EXISTS ${GEN}/${inc})
        continue()
      endif()
      list(APPEND errors "${rel}: #include \"${inc}\" is not a file of this tree")
      continue()
    endif()
    stage_of(${target} used)
    if(used STREQUAL "")
      list(APPEND errors "${rel}: #include \"${inc}\" is outside every stage")
    elseif(NOT used IN_LIST ALLOWED_${stage})
      list(JOIN ALLOWED_${stage} " " allowed)
      string(CONCAT error "${rel}: #include \"${inc}\" is stage '${used}', "
             "not one stage '${stage}' may use (${allowed})")
      list(APPEND errors "${error}")
    endif()
  endforeach()
endforeach()

if(errors)
  list(JOIN errors "\n  " text)
  message(FATAL_ERROR "layer check failed (table: CMakeLists.txt pbrc_stage lines):\n  ${text}")
endif()
