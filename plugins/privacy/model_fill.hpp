// The `model` scrub mode: a user-supplied TorchScript inpainting network.
#pragma once

#include <nfx/nfx.hpp>

#include <opencv2/core.hpp>

#include <functional>
#include <string>

namespace nfx::privacy {

// Loads a TorchScript module that takes (image, mask) and returns the filled image. All three are float
// 1 x C x H x W tensors (image and result C = 3, RGB in [0, 1]; mask C = 1, 1 where to fill). The
// returned function takes and gives 8-bit RGB images and a CV_8U mask (255 = fill), and may be called
// from several threads. Throws nfx::Error naming a missing or unloadable file, or when nfx was built
// without LibTorch.
std::function<cv::Mat(const cv::Mat&, const cv::Mat&)> load_fill_model(const std::string& path);

// The process's LibTorch thread policy (nfx::training::apply_thread_policy), for the node that will run a
// fill model; nothing without LibTorch.
void apply_torch_thread_policy(const nfx::Params& params);

}  // namespace nfx::privacy
