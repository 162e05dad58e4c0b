// An ncnn model (a .param text graph and its .bin weights, as upscayl ships Real-ESRGAN) run in LibTorch:
// the layers the ESRGAN family uses (Convolution with its fused activation, PReLU, Concat, Eltwise,
// BinaryOp, Interp, PixelShuffle, Split), weights in float32 or float16 as ncnn's converter stores them.
#pragma once

#include <nfx/models/ncnn_param.hpp>

#include <torch/types.h>

#include <string>
#include <vector>

namespace nfx::models {

class NcnnModel {
 public:
  // Reads `param_file` and its weights `bin_file`; throws nfx::Error naming the file, line and layer for
  // anything it cannot run (an unknown layer type or parameter value, short or surplus weights).
  static NcnnModel load(const std::string& param_file, const std::string& bin_file);

  // x: N x C x H x W float32 in the model's input range; returns its (single) output, NCHW.
  torch::Tensor forward(const torch::Tensor& x) const;

  int64_t parameter_count() const;

 private:
  struct Layer {
    NcnnLayer spec;
    torch::Tensor weight, bias;  // Convolution: OIHW and O; PReLU: the slopes in weight
  };
  torch::Tensor apply(const Layer& layer, const std::vector<torch::Tensor>& in) const;

  std::string path_;
  std::vector<Layer> layers_;
  std::vector<int> last_use_;  // per blob: the last layer that reads it
  int input_ = -1, output_ = -1;
};

}  // namespace nfx::models
