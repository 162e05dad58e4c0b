# LibTorch, for the folders that use it (lib/, plugins/, bench/, tests/) and no others: each of them includes this
# file, which finds LibTorch for that folder and, once, wraps it as the one target the project links,
# nfx::torch. host/, sdk/ and kernels/ never see LibTorch (nfx_forbid_torch checks that at configure time).
find_package(Torch QUIET)
# Debian's LibTorch runs its parallel loops on OpenMP, and at::parallel_for is a template compiled into its
# callers: without -fopenmp there it silently runs on one thread.
find_package(OpenMP REQUIRED COMPONENTS CXX)
if(Torch_FOUND AND NOT TARGET nfx_torch)
  add_library(nfx_torch INTERFACE)
  add_library(nfx::torch ALIAS nfx_torch)
  target_link_libraries(nfx_torch INTERFACE OpenMP::OpenMP_CXX ${TORCH_LIBRARIES})
endif()

# Compiles `target` with the precompiled LibTorch header of nfx::training (parsing LibTorch's headers is most
# of each file's compile time; one precompiled copy serves every target).
function(nfx_reuse_torch_pch target)
  if(TARGET nfx_training AND NOT target STREQUAL "nfx_training")
    target_precompile_headers(${target} REUSE_FROM nfx_training)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      # The header was compiled position-independent for the libraries; GCC refuses it in -fPIE code.
      target_compile_options(${target} PRIVATE -fPIC)
    endif()
  endif()
endfunction()

# nfx_add_torch_plugin(): a model plugin linking nfx::training (installed with the training library, so
# third-party plugins have it too).
include(${PROJECT_SOURCE_DIR}/lib/training/cmake/nfxTrainingPlugin.cmake)
