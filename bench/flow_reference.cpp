// The reference flow (1x20x20 digits, squeeze to 4x10x10, 8 steps of [ActNorm, 1x1 LU conv, affine
// coupling with a 64-channel subnet], split 2|2, squeeze to 8x5x5, 8 more steps; batch 64, Adam 1e-3) in
// nfx: parameter count, time per training step, time to sample 64 images and peak resident memory, as
// JSON on stdout. bench/flow_reference.py times the same model in Python over the same LibTorch.
#include "process_stats.hpp"

#include <nfx/flow/training/likelihood.hpp>
#include <nfx/training/digits.hpp>
#include <nfx/training/random.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace nfx::flow;

using nfx::bench::peak_rss_mib;
using nfx::bench::seconds_since;

// Usage: bench_flow_reference DIGITS_PNG [THREADS [TIMED_STEPS [MIXING COUPLING DIRECTION [HIDDEN]]]]
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s digits.png [threads [timed_steps [mixing coupling direction [hidden]]]]\n",
                 argv[0]);
    return 2;
  }
  torch::set_num_threads(argc > 2 ? std::atoi(argv[2]) : 2);
  const int timed = argc > 3 ? std::atoi(argv[3]) : 30;
  ModelSpec spec;
  if (argc > 4) spec.mixing = argv[4];
  if (argc > 5) spec.coupling = argv[5];
  if (argc > 6) spec.direction = std::string(argv[6]) == "inverse" ? Direction::inverse : Direction::standard;
  if (argc > 7) spec.hidden = std::atoi(argv[7]);
  const nfx::training::ImageSplit digits = nfx::training::load_digits(argv[1]);
  torch::Generator generator = nfx::training::make_generator(0);
  auto model = std::make_shared<FlowModel>(spec);
  int64_t parameters = 0;
  for (const torch::Tensor& p : model->parameters()) parameters += p.numel();
  TrainOptions options;
  LikelihoodTrainer trainer(model, options);
  const torch::Tensor order = torch::randperm(digits.train.size(0), generator);
  auto batch = [&](int64_t s) { return digits.train.index({order.narrow(0, (s * 64) % (4500 - 64), 64)}); };
  for (int64_t s = 0; s < 5; ++s) trainer.step(batch(s), generator);  // warm-up, ActNorm initialization
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < timed; ++s) trainer.step(batch(5 + s), generator);
  const double step_ms = seconds_since(start) * 1e3 / timed;
  model->sample(64, 0.7, generator);
  const auto sample_start = std::chrono::steady_clock::now();
  const int samples = 10;
  for (int i = 0; i < samples; ++i) model->sample(64, 0.7, generator);
  const double sample_ms = seconds_since(sample_start) * 1e3 / samples;
  std::printf("{\"implementation\": \"nfx\", \"mixing\": \"%s\", \"coupling\": \"%s\", \"direction\": \"%s\", "
              "\"hidden\": %lld, \"parameters\": %lld, \"threads\": %d, \"train_step_ms\": %.2f, \"sample64_ms\": %.2f, "
              "\"peak_rss_mib\": %.1f}\n",
              spec.mixing.c_str(), spec.coupling.c_str(), spec.direction == Direction::inverse ? "inverse" : "standard",
              static_cast<long long>(spec.hidden), static_cast<long long>(parameters), torch::get_num_threads(), step_ms, sample_ms, peak_rss_mib());
  return 0;
}
