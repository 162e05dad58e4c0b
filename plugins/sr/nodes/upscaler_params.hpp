// The parameters of UpscalerOptions, shared by the nodes that upscale (sr.upscale, sr.eval), and their values.
#pragma once

#include "model/upscaler.hpp"

#include <nfx/nfx.hpp>

#include <memory>

namespace nfx::sr {

void add_upscaler_params(nfx::NodeTypeBuilder& node, const char* default_model);
// The Upscaler of the node's values; its errors are nfx::ParamError located at the parameter they come from.
std::unique_ptr<Upscaler> make_upscaler(nfx::Params& params);

}  // namespace nfx::sr
