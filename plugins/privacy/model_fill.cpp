// LibTorch only here, so the rest of the plugin builds fast and without it.
#include "model_fill.hpp"

#include <nfx/nfx.hpp>

#include <filesystem>

#ifdef NFX_PRIVACY_WITH_TORCH
#include <nfx/training/threads.hpp>

#include <torch/script.h>
#endif

namespace nfx::privacy {

#ifdef NFX_PRIVACY_WITH_TORCH

std::function<cv::Mat(const cv::Mat&, const cv::Mat&)> load_fill_model(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw nfx::Error(path + ": no such TorchScript model file", NFX_ERR_IO);
  auto module = std::make_shared<torch::jit::Module>();
  try {
    *module = torch::jit::load(path);
  } catch (const std::exception& e) {
    throw nfx::Error(path + ": not a TorchScript module (" + std::string(e.what()).substr(0, 200) + ")", NFX_ERR_IO);
  }
  module->eval();
  return [module, path](const cv::Mat& image, const cv::Mat& mask) {
    if (image.type() != CV_8UC3) throw nfx::Error("the inpainting model needs an RGB image");
    c10::InferenceMode inference;
    const int64_t h = image.rows, w = image.cols;
    const torch::Tensor x = torch::from_blob(image.data, {1, h, w, 3}, torch::kUInt8)
                                .permute({0, 3, 1, 2}).to(torch::kFloat).div(255.0);
    const torch::Tensor m = torch::from_blob(mask.data, {1, 1, h, w}, torch::kUInt8).to(torch::kFloat).div(255.0);
    torch::Tensor y;
    try {
      y = module->forward({x, m}).toTensor();
    } catch (const std::exception& e) {
      throw nfx::Error(path + ": the model failed: " + std::string(e.what()).substr(0, 300));
    }
    if (y.dim() != 4 || y.size(0) != 1 || y.size(1) != 3 || y.size(2) != h || y.size(3) != w) {
      throw nfx::Error(path + ": the model must return 1 x 3 x H x W, got " + c10::str(y.sizes()));
    }
    const torch::Tensor rgb = y.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
    cv::Mat out(static_cast<int>(h), static_cast<int>(w), CV_8UC3);
    std::memcpy(out.data, rgb.data_ptr<uint8_t>(), static_cast<size_t>(h * w * 3));
    return out;
  };
}

void apply_torch_thread_policy(const nfx::Params& params) { training::apply_thread_policy(params); }

#else

std::function<cv::Mat(const cv::Mat&, const cv::Mat&)> load_fill_model(const std::string& path) {
  throw nfx::Error(path + ": this nfx was built without LibTorch, so the model mode is not available");
}

void apply_torch_thread_policy(const nfx::Params&) {}

#endif

}  // namespace nfx::privacy
