# nfx_add_torch_plugin(<name> SOURCES <file>... [OUTPUT_DIRECTORY <dir>] [INSTALL_DESTINATION <dir>])
#
# Builds a model plugin: nfx_add_plugin, linking nfx::training (the shared libnfx_training.so, and through
# it LibTorch). Used in nfx's own tree, where it also puts the plugin beside the others and reuses the training library's precompiled
# LibTorch header, and, through find_package(nfx COMPONENTS training), by third-party model plugins.
function(nfx_add_torch_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY;INSTALL_DESTINATION" "SOURCES" ${ARGN})
  set(where)
  if(ARG_OUTPUT_DIRECTORY)
    list(APPEND where OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(NFX_PLUGIN_OUTPUT_DIRECTORY)
    list(APPEND where OUTPUT_DIRECTORY ${NFX_PLUGIN_OUTPUT_DIRECTORY})
  endif()
  if(ARG_INSTALL_DESTINATION)
    list(APPEND where INSTALL_DESTINATION ${ARG_INSTALL_DESTINATION})
  elseif(NFX_PLUGIN_OUTPUT_DIRECTORY AND NFX_PLUGIN_SUBDIR)
    list(APPEND where INSTALL_DESTINATION ${NFX_PLUGIN_SUBDIR})
  endif()
  nfx_add_plugin(${name} SOURCES ${ARG_SOURCES} ${where})
  target_link_libraries(${name} PRIVATE nfx::training)
  if(COMMAND nfx_reuse_torch_pch)
    nfx_reuse_torch_pch(${name})
  endif()
endfunction()
