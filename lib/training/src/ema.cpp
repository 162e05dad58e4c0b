#include <nfx/training/ema.hpp>

#include <algorithm>
#include <stdexcept>

namespace nfx::training {

namespace {

std::vector<std::pair<std::string, torch::Tensor>> copies(const torch::OrderedDict<std::string, torch::Tensor>& tensors) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : tensors) out.emplace_back(item.key(), item.value().detach().clone());
  return out;
}

template <typename Each>
void pair_up(const std::vector<std::pair<std::string, torch::Tensor>>& ours,
             const torch::OrderedDict<std::string, torch::Tensor>& theirs, Each each) {
  if (ours.size() != theirs.size()) throw std::invalid_argument("the moving average was made for another model");
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i].first != theirs[i].key() || ours[i].second.sizes() != theirs[i].value().sizes()) {
      throw std::invalid_argument("the moving average was made for another model (at '" + ours[i].first + "')");
    }
    each(ours[i].second, theirs[i].value());
  }
}

}  // namespace

ExponentialMovingAverage::ExponentialMovingAverage(const torch::nn::Module& module, double decay, bool warmup)
    : decay_(decay), warmup_(warmup), parameters_(copies(module.named_parameters())), buffers_(copies(module.named_buffers())) {}

void ExponentialMovingAverage::update(const torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  const double t = static_cast<double>(updates_++);
  const double decay = warmup_ ? std::min(decay_, (1.0 + t) / (10.0 + t)) : decay_;
  // In-place operations on a tensor handle write its storage (they are const members of at::Tensor).
  pair_up(parameters_, module.named_parameters(), [&](const torch::Tensor& avg, const torch::Tensor& w) { avg.lerp_(w, 1.0 - decay); });
  pair_up(buffers_, module.named_buffers(), [](const torch::Tensor& avg, const torch::Tensor& b) { avg.copy_(b); });
}

void ExponentialMovingAverage::copy_to(torch::nn::Module& module) const {
  torch::NoGradGuard no_grad;
  pair_up(parameters_, module.named_parameters(), [](const torch::Tensor& avg, const torch::Tensor& w) { w.copy_(avg); });
  pair_up(buffers_, module.named_buffers(), [](const torch::Tensor& avg, const torch::Tensor& b) { b.copy_(avg); });
}

void ExponentialMovingAverage::save(torch::serialize::OutputArchive& archive) const {
  archive.write("updates", c10::IValue(updates_));
  for (const auto& [name, t] : parameters_) archive.write("parameter." + name, t, /*is_buffer=*/true);
  for (const auto& [name, t] : buffers_) archive.write("buffer." + name, t, /*is_buffer=*/true);
}

void ExponentialMovingAverage::load(torch::serialize::InputArchive& archive) {
  c10::IValue updates;
  if (!archive.try_read("updates", updates)) throw std::runtime_error("no moving average here");
  auto read_all = [&](std::vector<std::pair<std::string, torch::Tensor>>& tensors, const std::string& prefix) {
    for (auto& [name, t] : tensors) {
      torch::Tensor stored;
      if (!archive.try_read(prefix + name, stored, true) || stored.sizes() != t.sizes()) {
        throw std::runtime_error("the moving average does not fit this model (at '" + name + "')");
      }
      t.copy_(stored);
    }
  };
  read_all(parameters_, "parameter.");
  read_all(buffers_, "buffer.");
  updates_ = updates.toInt();
}

}  // namespace nfx::training
