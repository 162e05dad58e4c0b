// An ncnn network read and checked without LibTorch: the .param text graph (every layer, blob and
// parameter bounded and well formed) and where each layer's weights lie in the .bin. NcnnModel turns the
// result into tensors; the fuzzer (fuzz/ncnn_fuzzer.cpp) runs this part on arbitrary bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::models {

// One block of a layer's weights in the .bin: `count` values at `offset` bytes, float16 or float32.
struct NcnnWeights {
  int64_t count = 0;
  size_t offset = 0;
  bool half = false;
};

struct NcnnLayer {
  std::string type, name;
  int line = 0;                      // in the .param file
  std::vector<int> inputs, outputs;  // blob indices
  // Convolution: the kernel (OIHW shape) and bias; PReLU: the slopes in weight.
  NcnnWeights weight, bias;
  std::vector<int64_t> weight_shape;
  bool has_bias = false;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int activation = 0;                // Convolution: 0 none, 1 ReLU, 2 leaky ReLU
  double slope = 0;                  // the leaky ReLU's; BinaryOp: the scalar operand
  int op = 0;                        // Eltwise / BinaryOp: which operation (BinaryOp with a scalar: + 10)
  std::vector<double> coefficients;  // Eltwise sum: one per input
  double scale_h = 1, scale_w = 1;   // Interp
  int64_t factor = 1;                // PixelShuffle
};

struct NcnnGraph {
  std::vector<NcnnLayer> layers;
  int blobs = 0, input = -1, output = -1;
};

// The graph of `param_text` (the contents of `param_file`) with its weights located in `bin` (the bytes of
// `bin_file`). Throws nfx::Error naming the file, the line and the layer or parameter for anything it
// cannot run: an unknown layer type or parameter value, a bound exceeded, a blob read before it is made or
// made twice, short or surplus weights.
NcnnGraph read_ncnn_graph(const std::string& param_text, const std::string& param_file, const std::string& bin,
                          const std::string& bin_file);

}  // namespace nfx::models
