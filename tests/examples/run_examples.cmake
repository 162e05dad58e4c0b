# Installs nfx into a temporary prefix, then builds and runs the examples against it, as a user would.
# Called by CTest with -DSOURCE_DIR, -DBINARY_DIR, -DWORK_DIR and, when nfx was built with LibTorch,
# -DWITH_TRAINING=ON (the model plugin example needs the installed training library).
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

set(examples embed third_party_plugin)
if(WITH_TRAINING)
  list(APPEND examples model_plugin)
endif()
foreach(example ${examples})
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

if(NOT WITH_TRAINING)
  return()
endif()

# The model plugin trains a few steps on the sample photos: checkpoints and curve appear, the loss falls.
set(model_out ${WORK_DIR}/denoise)
run(${prefix}/bin/nfx --plugin-path ${WORK_DIR}/model_plugin run ${SOURCE_DIR}/examples/model_plugin/train.toml
    --set out=${model_out} -q)
foreach(file checkpoint.pt best.pt curve.csv curve.png)
  if(NOT EXISTS ${model_out}/${file})
    message(FATAL_ERROR "the model plugin example wrote no ${file}")
  endif()
endforeach()
file(STRINGS ${model_out}/curve.csv rows)
list(LENGTH rows count)
if(NOT count EQUAL 4)
  message(FATAL_ERROR "curve.csv should hold a header and 3 epochs:\n${rows}")
endif()
list(GET rows 0 header)
string(REPLACE "," ";" header "${header}")
list(FIND header train_loss column)
if(column LESS 0)
  message(FATAL_ERROR "curve.csv has no train_loss column: ${header}")
endif()
list(GET rows 1 first)
list(GET rows 3 last)
string(REPLACE "," ";" first "${first}")
string(REPLACE "," ";" last "${last}")
list(GET first ${column} first_loss)
list(GET last ${column} last_loss)
if(NOT last_loss LESS first_loss)
  message(FATAL_ERROR "the loss did not fall over 3 epochs: ${first_loss} -> ${last_loss}")
endif()
message("train_loss ${first_loss} -> ${last_loss}")

# The trained checkpoint denoises noisy copies of the photos.
run(${prefix}/bin/nfx --plugin-path ${WORK_DIR}/model_plugin run ${SOURCE_DIR}/examples/model_plugin/denoise.toml
    --set out=${model_out} -q)
if(NOT EXISTS ${model_out}/denoised/butterfly.png OR NOT EXISTS ${model_out}/noisy/butterfly.png)
  message(FATAL_ERROR "the denoise graph wrote no output")
endif()
