#include "model/autoencoder.hpp"

#include <nfx/base.hpp>
#include <nfx/training/random.hpp>

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

namespace nfx::mapper {

StackedAutoencoderImpl::StackedAutoencoderImpl(const AutoencoderSpec& spec) : spec_(spec) {
  std::vector<int64_t> widths = {spec.inputs};
  widths.insert(widths.end(), spec.hidden.begin(), spec.hidden.end());
  widths.push_back(spec.code);
  for (int64_t w : widths) {
    if (w < 1) throw nfx::Error("an autoencoder layer of width " + std::to_string(w));
  }
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    encoders_.push_back(register_module("encoder" + std::to_string(l), torch::nn::Linear(widths[l], widths[l + 1])));
    decoders_.push_back(register_module("decoder" + std::to_string(l), torch::nn::Linear(widths[l + 1], widths[l])));
  }
}

torch::Tensor StackedAutoencoderImpl::below(int64_t l, torch::Tensor x) {
  for (int64_t i = 0; i < l; ++i) x = torch::tanh(encoders_[i](x));
  return x;
}

torch::Tensor StackedAutoencoderImpl::encode(const torch::Tensor& x) {
  return encoders_.back()(below(depth() - 1, x));  // the code is linear
}

torch::Tensor StackedAutoencoderImpl::decode(const torch::Tensor& z) {
  torch::Tensor h = z;
  for (int64_t l = depth() - 1; l >= 0; --l) {
    h = decoders_[l](h);
    if (l > 0) h = torch::tanh(h);  // what encoder l - 1 gave was tanh'd; the input is not
  }
  return h;
}

torch::Tensor StackedAutoencoderImpl::layer_reconstruction_loss(int64_t l, const torch::Tensor& x) {
  torch::Tensor input;
  {
    torch::NoGradGuard frozen;  // the layers below are trained already
    input = below(l, x);
  }
  torch::Tensor h = encoders_[l](input);
  if (l < depth() - 1) h = torch::tanh(h);
  torch::Tensor back = decoders_[l](h);
  if (l > 0) back = torch::tanh(back);
  return torch::nn::functional::mse_loss(back, input);
}

std::vector<torch::Tensor> StackedAutoencoderImpl::layer_parameters(int64_t l) {
  std::vector<torch::Tensor> p = encoders_[l]->parameters();
  for (const torch::Tensor& t : decoders_[l]->parameters()) p.push_back(t);
  return p;
}

double reconstruction_error(StackedAutoencoder& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return torch::nn::functional::mse_loss(model->forward(x), x).item<double>();
}

void train_autoencoder(StackedAutoencoder& model, const torch::Tensor& x, const AutoencoderTraining& o,
                       const std::function<void(const std::string&, int64_t, int64_t)>& progress) {
  if (x.dim() != 2 || x.size(1) != model->spec().inputs || x.size(0) < 2) {
    throw nfx::Error("the autoencoder takes N x " + std::to_string(model->spec().inputs) + " features (N >= 2), not " +
                     c10::str(x.sizes()));
  }
  torch::Generator init = nfx::training::make_generator(nfx::training::derive_seed(o.seed, "init"));
  nfx::training::reset_parameters(*model, init);
  torch::Generator batches = nfx::training::make_generator(nfx::training::derive_seed(o.seed, "batches"));
  const auto batch = [&] { return x.index_select(0, torch::randint(x.size(0), {std::min(o.batch, x.size(0))}, batches)); };
  const auto run = [&](torch::optim::Optimizer& optimizer, const std::string& stage, int64_t steps, const auto& loss_of) {
    for (int64_t step = 0; step < steps; ++step) {
      optimizer.zero_grad();
      loss_of(batch()).backward();
      optimizer.step();
      if (progress && (step % 50 == 0 || step + 1 == steps)) progress(stage, step + 1, steps);
    }
  };
  for (int64_t l = 0; l < model->depth(); ++l) {
    torch::optim::Adam layer(model->layer_parameters(l), torch::optim::AdamOptions(o.learning_rate));
    run(layer, "layer " + std::to_string(l + 1), o.pretrain_steps,
        [&](const torch::Tensor& b) { return model->layer_reconstruction_loss(l, b); });
  }
  torch::optim::Adam all(model->parameters(), torch::optim::AdamOptions(o.learning_rate));
  run(all, "fine-tuning", o.finetune_steps, [&](const torch::Tensor& b) { return torch::nn::functional::mse_loss(model->forward(b), b); });
}

}  // namespace nfx::mapper
