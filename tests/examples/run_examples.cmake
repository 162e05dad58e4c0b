# Installs nfx into a temporary prefix, then builds and runs both examples against it, as a user would.
# Called by CTest with -DSOURCE_DIR, -DBINARY_DIR, -DWORK_DIR.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("$ ${ARGN}\n${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})

foreach(example embed third_party_plugin)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/${example} -B ${WORK_DIR}/${example} -G Ninja
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/${example})
endforeach()

# The embedding program feeds an image from memory and prints what comes back.
run(${WORK_DIR}/embed/embed_example)
if(NOT last_output MATCHES "got 32x24 image")
  message(FATAL_ERROR "embed example printed the wrong result")
endif()

# The installed nfx loads the third-party plugin from its own build folder and runs its graph.
run(${prefix}/bin/nfx --plugin-path ${WORK_DIR}/third_party_plugin plugins)
if(NOT last_output MATCHES "acme 1.0.0")
  message(FATAL_ERROR "nfx did not list the third-party plugin")
endif()
run(${prefix}/bin/nfx --plugin-path ${WORK_DIR}/third_party_plugin run
    ${SOURCE_DIR}/examples/third_party_plugin/invert.toml --set out=${WORK_DIR}/inverted -q)
if(NOT EXISTS ${WORK_DIR}/inverted/butterfly.png)
  message(FATAL_ERROR "the third-party graph wrote no output")
endif()
