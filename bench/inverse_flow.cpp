// Inverse-Flow vs the standard direction where the k x k layers are the whole model: a stack of
// [ActNorm, FInC 3x3 unit] x depth on B x C x H x W Gaussian data, trained by maximum likelihood under a
// standard normal prior. Prints one JSON line: time per training step, time to sample a batch (the
// layers' inverses), the resident memory before training and its peak during training (their difference
// is what training needs).
//
// Usage: bench_inverse_flow DIRECTION [CHANNELS [SIZE [BATCH [DEPTH [THREADS]]]]]
#include "process_stats.hpp"

#include <nfx/flow/basic_layers.hpp>
#include <nfx/flow/triangular_layers.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/random.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace nfx::flow;

using nfx::bench::current_rss_mib;
using nfx::bench::peak_rss_mib;
using nfx::bench::seconds_since;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s standard|inverse [CHANNELS [SIZE [BATCH [DEPTH [THREADS]]]]]\n", argv[0]);
    return 2;
  }
  const Direction direction = std::string(argv[1]) == "inverse" ? Direction::inverse : Direction::standard;
  const int64_t c = argc > 2 ? std::atoll(argv[2]) : 16, size = argc > 3 ? std::atoll(argv[3]) : 64;
  const int64_t batch = argc > 4 ? std::atoll(argv[4]) : 16, depth = argc > 5 ? std::atoll(argv[5]) : 8;
  torch::set_num_threads(argc > 6 ? std::atoi(argv[6]) : 2);
  torch::Generator generator = nfx::training::make_generator(0);

  struct Stack : torch::nn::Module {
    std::vector<FlowLayerPtr> layers;
  };
  auto stack = std::make_shared<Stack>();
  for (int64_t d = 0; d < depth; ++d) {
    stack->layers.push_back(stack->register_module("norm" + std::to_string(d), std::make_shared<ActNorm>(c)));
    stack->layers.push_back(stack->register_module("finc" + std::to_string(d), std::make_shared<FincUnit>(c, 3, direction, generator)));
  }
  torch::optim::Adam adam(stack->parameters(), torch::optim::AdamOptions(1e-4));
  const torch::Tensor data = torch::randn({batch, c, size, size}, generator);
  auto step = [&] {
    torch::Tensor logdet = torch::zeros({batch});
    torch::Tensor z = data;
    for (const FlowLayerPtr& layer : stack->layers) z = layer->forward(z, logdet);
    const torch::Tensor loss = (0.5 * z.pow(2).sum({1, 2, 3}) - logdet).mean();
    adam.zero_grad();
    loss.backward();
    nfx::training::clipped_step(adam, 1e9);
  };
  auto sample = [&] {
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::randn({batch, c, size, size}, generator);
    for (auto layer = stack->layers.rbegin(); layer != stack->layers.rend(); ++layer) x = (*layer)->inverse(x);
    return x;
  };
  const double rss_before = current_rss_mib();
  step();  // warm-up; ActNorm initializes from this batch
  const int timed = 5;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < timed; ++i) step();
  const double step_ms = seconds_since(start) * 1e3 / timed;
  const double peak = peak_rss_mib();
  const auto sample_start = std::chrono::steady_clock::now();
  for (int i = 0; i < timed; ++i) sample();
  const double sample_ms = seconds_since(sample_start) * 1e3 / timed;
  std::printf("{\"direction\": \"%s\", \"channels\": %lld, \"size\": %lld, \"batch\": %lld, \"depth\": %lld, "
              "\"threads\": %d, \"train_step_ms\": %.1f, \"sample_ms\": %.1f, \"rss_before_mib\": %.1f, "
              "\"peak_rss_mib\": %.1f}\n",
              direction == Direction::inverse ? "inverse" : "standard", static_cast<long long>(c),
              static_cast<long long>(size), static_cast<long long>(batch), static_cast<long long>(depth),
              torch::get_num_threads(), step_ms, sample_ms, rss_before, peak);
  return 0;
}
