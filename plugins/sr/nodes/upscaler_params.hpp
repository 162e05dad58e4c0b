// The parameters of UpscalerOptions, shared by the nodes that upscale (sr.upscale, sr.eval), and their values.
#pragma once

#include "model/upscaler.hpp"

#include <nfx/nfx.hpp>

namespace nfx::sr {

void add_upscaler_params(nfx::NodeTypeBuilder& node, const char* default_model);
UpscalerOptions upscaler_options(nfx::Params& params);

}  // namespace nfx::sr
