// Compiled (never linked) by the sdk.read_only_inputs.* tests: case 0 reads an input through the views
// nfx.hpp hands out and must compile; every other case writes through one and must not.
#include <nfx/nfx.hpp>

float touch(nfx::Context& ctx) {
  const nfx::TensorView view = ctx.input(0);
#if NFX_CASE == 0
  return view.data<float>()[0] + nfx::data_ptr<float>(view)[0] + nfx::data_ptr<float>(view.dl())[0];
#elif NFX_CASE == 1
  view.data<float>()[0] = 1.0f;
#elif NFX_CASE == 2
  nfx::data_ptr<float>(ctx.input(0))[0] = 1.0f;
#elif NFX_CASE == 3
  nfx::data_ptr<float>(view.dl())[0] = 1.0f;
#endif
  return 0.0f;
}
