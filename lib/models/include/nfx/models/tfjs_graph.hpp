// A TensorFlow.js layers model's model.json read and checked without LibTorch: the layers (every field
// typed, every input defined before it is read), the weights the manifest names (shapes bounded, where
// each lies in its group's shards) and that each layer's weights exist with the shapes it needs, then the
// shards' bytes. TfjsModel makes tensors of them; the fuzzer (fuzz/tfjs_fuzzer.cpp) runs the graph reader
// on arbitrary bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nfx::models {

struct TfjsWeight {
  std::vector<int64_t> shape;
  int64_t count = 0;
  int group = 0;      // in TfjsGraph::groups
  size_t offset = 0;  // bytes into the group's shards, read one after the other
};

struct TfjsWeightGroup {
  std::vector<std::string> shards;  // file names beside model.json
  size_t bytes = 0;                 // what its weights need: the shards together hold exactly this
};

struct TfjsLayer {
  std::string name;
  std::string kind;         // Conv2D, Activation, Add, Concatenate, MultiplyBeta, DepthToSpace, UpSampling2D, Input
  std::vector<int> inputs;  // indices of earlier layers
  std::string kernel, bias;  // Conv2D: the weights' names (bias empty without one); the kernel is HWIO
  bool same_padding = false;  // Conv2D
  bool relu = false;          // Conv2D's or Activation's activation
  double factor = 1;          // MultiplyBeta's beta
  int64_t scale = 1;          // DepthToSpace's block size, UpSampling2D's size
};

struct TfjsGraph {
  std::vector<TfjsWeightGroup> groups;
  std::map<std::string, TfjsWeight> weights;
  std::vector<TfjsLayer> layers;
  std::map<std::string, int> index;  // layer name -> position
  int output = -1;
};

// The graph of `json_text`, the contents of `file`. Throws nfx::Error "FILE: ..." naming the layer, weight
// or part for anything it cannot run.
TfjsGraph read_tfjs_graph(const std::string& json_text, const std::string& file);

// The bytes of each weight group of `graph`, its shards (beside `model_json`) one after the other; each shard
// is read with read_model_file's checks, and the shards together must hold exactly what the manifest names.
std::vector<std::string> read_tfjs_shards(const TfjsGraph& graph, const std::string& model_json);

}  // namespace nfx::models
