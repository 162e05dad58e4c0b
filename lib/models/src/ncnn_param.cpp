#include <nfx/models/ncnn_param.hpp>

#include <nfx/base.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

namespace nfx::models {

namespace {

// Bounds that no real network comes near, checked before anything is allocated or multiplied.
constexpr int kMaxBlobsPerLayer = 64;
constexpr int64_t kMaxChannels = 1 << 16, kMaxKernel = 64, kMaxPad = 1024, kMaxScale = 16;

// One layer's "key=value" parameters; keys -233xx hold arrays ("count,v1,v2...") for key xx.
struct Params {
  std::map<int, std::string> values;
  std::map<int, std::vector<std::string>> arrays;

  bool has(int key) const { return values.count(key) > 0; }
  int64_t integer(int key, int64_t otherwise) const { return has(key) ? std::stoll(values.at(key)) : otherwise; }
  double number(int key, double otherwise) const { return has(key) ? std::stod(values.at(key)) : otherwise; }
  std::vector<double> numbers(int key) const {
    std::vector<double> out;
    if (arrays.count(key)) {
      for (const std::string& v : arrays.at(key)) out.push_back(std::stod(v));
    }
    return out;
  }
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

// Walks the weights file in layer order.
class WeightCursor {
 public:
  WeightCursor(const std::string& file, const std::string& bytes) : file_(file), bytes_(bytes) {}

  // A block written with a 4-byte type tag: float16 (padded to 4 bytes) or float32.
  NcnnWeights tagged(int64_t count, const std::string& layer) {
    uint32_t tag = 0;
    std::memcpy(&tag, take(4, layer), 4);
    if (tag == 0x01306B47) {  // float16
      NcnnWeights w{count, offset_, true};
      take((count * 2 + 3) / 4 * 4, layer);
      return w;
    }
    if (tag == 0 || tag == 0x0002C056) return raw(count, layer);
    throw nfx::Error(file_ + ": layer '" + layer + "': quantized weights (tag " + std::to_string(tag) + ") are not supported");
  }
  // A block of plain float32.
  NcnnWeights raw(int64_t count, const std::string& layer) {
    NcnnWeights w{count, offset_, false};
    take(count * 4, layer);
    return w;
  }
  void expect_end() const {
    if (offset_ != bytes_.size()) {
      throw nfx::Error(file_ + ": " + std::to_string(bytes_.size() - offset_) + " bytes more than the layers use (another model's weights?)");
    }
  }

 private:
  const char* take(int64_t size, const std::string& layer) {
    if (size < 0 || static_cast<uint64_t>(size) > bytes_.size() - offset_) {
      throw nfx::Error(file_ + ": the weights end inside layer '" + layer + "' (truncated, or another model's weights?)");
    }
    const char* at = bytes_.data() + offset_;
    offset_ += static_cast<size_t>(size);
    return at;
  }

  const std::string& file_;
  const std::string& bytes_;
  size_t offset_ = 0;
};

}  // namespace

NcnnGraph read_ncnn_graph(const std::string& param_text, const std::string& param_file, const std::string& bin,
                          const std::string& bin_file) {
  std::istringstream text(param_text);
  WeightCursor weights(bin_file, bin);
  int line_number = 0;
  std::string line;
  const auto fail = [&](const std::string& what) -> void { throw nfx::Error(param_file + ":" + std::to_string(line_number) + ": " + what); };
  std::getline(text, line), ++line_number;
  if (line.rfind("7767517", 0) != 0) fail("not an ncnn .param file (no magic number 7767517)");
  std::getline(text, line), ++line_number;

  NcnnGraph graph;
  std::map<std::string, int> blobs;
  while (std::getline(text, line)) {
    ++line_number;
    std::istringstream fields(line);
    NcnnLayer layer;
    layer.line = line_number;
    int bottoms = 0, tops = 0;
    if (!(fields >> layer.type)) continue;
    if (!(fields >> layer.name >> bottoms >> tops) || bottoms < 0 || tops < 1) fail("a layer line needs type, name and blob counts");
    if (bottoms > kMaxBlobsPerLayer || tops > kMaxBlobsPerLayer) {
      fail("layer '" + layer.name + "': " + std::to_string(std::max(bottoms, tops)) + " blobs (at most " + std::to_string(kMaxBlobsPerLayer) + ")");
    }
    // Blobs are made before they are read, each by one layer: the graph runs top to bottom, without cycles.
    for (int i = 0; i < bottoms; ++i) {
      std::string blob;
      if (!(fields >> blob)) fail("layer '" + layer.name + "': fewer input blob names than its count");
      if (!blobs.count(blob)) fail("layer '" + layer.name + "' reads blob '" + blob + "', which no earlier layer makes");
      layer.inputs.push_back(blobs[blob]);
    }
    for (int i = 0; i < tops; ++i) {
      std::string blob;
      if (!(fields >> blob)) fail("layer '" + layer.name + "': fewer output blob names than its count");
      if (blobs.count(blob)) fail("layer '" + layer.name + "' makes blob '" + blob + "', which an earlier layer made already");
      const int index = static_cast<int>(blobs.size());
      blobs[blob] = index;
      layer.outputs.push_back(index);
    }
    Params p;
    for (std::string kv; fields >> kv;) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) fail("layer '" + layer.name + "': '" + kv + "' is not key=value");
      int key = 0;
      try {
        key = std::stoi(kv.substr(0, eq));
      } catch (const std::exception&) {
        fail("layer '" + layer.name + "': '" + kv + "' has no number as its key");
      }
      if (key <= -23300) {
        std::vector<std::string> items = split(kv.substr(eq + 1), ',');
        if (!items.empty()) items.erase(items.begin());  // the count
        p.arrays[-key - 23300] = items;
      } else {
        p.values[key] = kv.substr(eq + 1);
      }
    }
    const auto need_inputs = [&](size_t n) {
      if (n == 0 ? layer.inputs.size() < 2 : layer.inputs.size() != n) fail("layer '" + layer.name + "': wrong number of inputs");
    };
    try {
      if (layer.type == "Input") {
        graph.input = layer.outputs.at(0);
      } else if (layer.type == "Split") {
        need_inputs(1);
      } else if (layer.type == "Convolution") {
        need_inputs(1);
        const int64_t out = p.integer(0, 0), kw = p.integer(1, 0), kh = p.integer(11, kw), size = p.integer(6, 0);
        if (p.integer(2, 1) != 1 || p.integer(12, 1) != 1 || p.integer(3, 1) != 1 || p.integer(13, 1) != 1) {
          fail("layer '" + layer.name + "': dilation and stride other than 1 are not supported");
        }
        if (out < 1 || out > kMaxChannels) fail("layer '" + layer.name + "': output channels (0=) must be 1 to " + std::to_string(kMaxChannels));
        if (kw < 1 || kh < 1 || kw > kMaxKernel || kh > kMaxKernel) {
          fail("layer '" + layer.name + "': kernel size (1=, 11=) must be 1 to " + std::to_string(kMaxKernel));
        }
        // out * kh * kw < 2^28 by the bounds above; the input channels are bounded the same way.
        if (size < 1 || size % (out * kh * kw) != 0 || size / (out * kh * kw) > kMaxChannels) {
          fail("layer '" + layer.name + "': weight size (6=) does not fit the kernel");
        }
        layer.pad_left = p.integer(4, 0);
        layer.pad_top = p.integer(14, layer.pad_left);
        layer.pad_right = p.integer(15, layer.pad_left);
        layer.pad_bottom = p.integer(16, layer.pad_top);
        if (layer.pad_left < 0 || layer.pad_top < 0) fail("layer '" + layer.name + "': automatic ('same') padding is not supported");
        if (std::max({layer.pad_left, layer.pad_top, layer.pad_right, layer.pad_bottom}) > kMaxPad || layer.pad_right < 0 || layer.pad_bottom < 0) {
          fail("layer '" + layer.name + "': padding (4=, 14=, 15=, 16=) must be 0 to " + std::to_string(kMaxPad));
        }
        layer.activation = static_cast<int>(p.integer(9, 0));
        if (layer.activation < 0 || layer.activation > 2) fail("layer '" + layer.name + "': activation type " + std::to_string(layer.activation) + " is not supported");
        const std::vector<double> activation = p.numbers(10);
        layer.slope = activation.empty() ? 0.0 : activation[0];
        layer.weight = weights.tagged(size, layer.name);
        layer.weight_shape = {out, size / (out * kh * kw), kh, kw};
        layer.has_bias = p.integer(5, 0) != 0;
        if (layer.has_bias) layer.bias = weights.raw(out, layer.name);
      } else if (layer.type == "PReLU") {
        need_inputs(1);
        const int64_t slopes = p.integer(0, 1);
        if (slopes < 1 || slopes > kMaxChannels) fail("layer '" + layer.name + "': slope count (0=) must be 1 to " + std::to_string(kMaxChannels));
        layer.weight = weights.raw(slopes, layer.name);
        layer.weight_shape = {slopes};
      } else if (layer.type == "Concat") {
        need_inputs(0);
        if (p.integer(0, 0) != 0) fail("layer '" + layer.name + "': concatenation other than along channels");
      } else if (layer.type == "Eltwise") {
        need_inputs(0);
        layer.op = static_cast<int>(p.integer(0, 1));
        if (layer.op < 0 || layer.op > 2) fail("layer '" + layer.name + "': Eltwise operation " + std::to_string(layer.op) + " is not supported");
        layer.coefficients = p.numbers(1);
        if (!layer.coefficients.empty() && layer.coefficients.size() != layer.inputs.size()) fail("layer '" + layer.name + "': one coefficient per input");
      } else if (layer.type == "BinaryOp") {
        need_inputs(p.integer(1, 0) != 0 ? 1 : 2);
        layer.op = static_cast<int>(p.integer(0, 0));
        layer.slope = p.number(2, 0.0);  // the scalar operand
        if (layer.op < 0 || layer.op > 3) fail("layer '" + layer.name + "': BinaryOp operation " + std::to_string(layer.op) + " is not supported");
        if (layer.inputs.size() == 1) layer.op += 10;
      } else if (layer.type == "Interp") {
        need_inputs(1);
        if (p.integer(0, 0) != 1 || p.has(3) || p.has(4)) fail("layer '" + layer.name + "': only nearest resizing by a scale factor is supported");
        layer.scale_h = p.number(1, 1.0);
        layer.scale_w = p.number(2, 1.0);
        for (const double scale : {layer.scale_h, layer.scale_w}) {
          if (!(scale > 0 && scale <= kMaxScale)) fail("layer '" + layer.name + "': scales (1=, 2=) must be above 0 and at most " + std::to_string(kMaxScale));
        }
      } else if (layer.type == "PixelShuffle") {
        need_inputs(1);
        layer.factor = p.integer(0, 1);
        layer.op = static_cast<int>(p.integer(1, 0));
        if (layer.factor < 1 || layer.factor > kMaxScale) fail("layer '" + layer.name + "': upscale factor (0=) must be 1 to " + std::to_string(kMaxScale));
      } else {
        fail("layer '" + layer.name + "': layer type " + layer.type + " is not supported");
      }
    } catch (const std::invalid_argument&) {
      fail("layer '" + layer.name + "': a parameter is not a number");
    } catch (const std::out_of_range&) {
      fail("layer '" + layer.name + "': a parameter is out of range");
    }
    graph.layers.push_back(std::move(layer));
  }
  weights.expect_end();
  if (graph.input < 0 || graph.layers.size() < 2) fail("the model has no Input layer or no layers after it");
  graph.output = graph.layers.back().outputs.at(0);
  graph.blobs = static_cast<int>(blobs.size());
  return graph;
}

}  // namespace nfx::models
