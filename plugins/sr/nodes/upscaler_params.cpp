#include "upscaler_params.hpp"

namespace nfx::sr {

void add_upscaler_params(nfx::NodeTypeBuilder& node, const char* default_model) {
  node.param(nfx::string_param("model", default_model,
                               "bicubic (MATLAB's imresize), esrgan-slim, esrgan-medium, esrgan-thick (UpscalerJS), "
                               "realesrgan-x4plus, realesrgan-x4fast (upscayl's ncnn files; all fetched by "
                               "scripts/fetch-data.sh), affine-stablesr (nfx's flow, committed weights), or a file: a TF.js "
                               "model.json, an ncnn .param, a model.pt / checkpoint.pt of sr.train, or a TorchScript module"))
      .param(nfx::int_param("scale", 4, "output pixels per input pixel along each side (ESRGAN: 2, 3, 4, 8; affine-stablesr: 2, 4)", 2, 8))
      .param(nfx::string_param("models", "", "where the fetched models are; empty: <data>/sr"))
      .param(nfx::string_param("weights", "", "folder of affine-stablesr-x2.pt / -x4.pt; empty: the committed ones"))
      .param(nfx::float_param("input_range", 255, "a model.json's or TorchScript file's pixel range: 255 (0-255) or 1 (0-1)", 1, 255))
      .param(nfx::float_param("temperature", 0, "affine-stablesr: 0 the deterministic output, > 0 a sample with more texture (0.5-0.8)", 0, 1))
      .param(nfx::int_param("tile", 0, "input tile side (32 or more): memory grows with its square; 0: 192, or three times the "
                                       "overlap when that is larger", 0, 4096))
      .param(nfx::int_param("overlap", -1, "input pixels shared by neighbouring tiles; -1: twice the model's receptive radius "
                                             "(tiled and whole-image outputs then agree)", -1, 1024))
      .param(nfx::bool_param("check_finite", true, "fail an image whose network output holds NaN or Inf instead of writing it "
                                                  "(false saves a pass over each tile)"));
}

namespace {

UpscalerOptions upscaler_options(nfx::Params& p) {
  UpscalerOptions o;
  o.model = p.get_string("model");
  o.scale = p.get_int("scale");
  o.models_dir = p.get_string("models");
  o.weights_dir = p.get_string("weights");
  o.input_range = p.get_float("input_range");
  o.temperature = p.get_float("temperature");
  o.tile = p.get_int("tile");
  o.overlap = p.get_int("overlap");
  if (o.tile > 0 && o.tile < 32) throw nfx::ParamError("tile", "tile = " + std::to_string(o.tile) + " must be 0 (automatic) or 32 to 4096");
  if (o.tile > 0 && o.overlap >= o.tile) {
    throw nfx::ParamError("overlap", "overlap = " + std::to_string(o.overlap) + " must be less than tile = " + std::to_string(o.tile) +
                                         " (neighbouring tiles would not advance)");
  }
  o.check_finite = p.get_bool("check_finite");
  return o;
}

}  // namespace

std::unique_ptr<Upscaler> make_upscaler(nfx::Params& p) {
  const UpscalerOptions options = upscaler_options(p);  // its own errors name their parameter
  try {
    return std::make_unique<Upscaler>(options);
  } catch (const nfx::ParamError&) {
    throw;  // a tile too small for the model: located at its own line
  } catch (const nfx::Error& e) {
    throw nfx::ParamError("model", e.what());  // a model that cannot be found or read: located at `model`
  }
}

}  // namespace nfx::sr
