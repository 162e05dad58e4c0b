#include <nfx/training/gradients.hpp>

#include "process_threads.hpp"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <exception>

namespace nfx::training {

namespace {

struct Share {
  int64_t first = 0, count = 0;
  std::vector<torch::Tensor> gradients;
  double loss = 0.0;
  std::exception_ptr error;
};

// Rows [first, first + count) cut into `parts` nearly equal, non-empty shares.
std::vector<Share> cut(int64_t first, int64_t count, int64_t parts) {
  parts = std::max<int64_t>(1, std::min(parts, count));
  std::vector<Share> shares(static_cast<size_t>(parts));
  int64_t start = first;
  for (int64_t i = 0; i < parts; ++i) {
    const int64_t size = count / parts + (i < count % parts ? 1 : 0);
    shares[static_cast<size_t>(i)].first = start;
    shares[static_cast<size_t>(i)].count = size;
    start += size;
  }
  return shares;
}

void add_into(std::vector<torch::Tensor>& sum, const std::vector<torch::Tensor>& part) {
  for (size_t p = 0; p < sum.size(); ++p) {
    if (part[p].defined()) sum[p] = sum[p].defined() ? sum[p] + part[p] : part[p];
  }
}

}  // namespace

double combined_backward(const std::vector<torch::Tensor>& parameters, int64_t batch_size, const ShareLoss& loss,
                         const ShareOptions& options) {
  const int threads = options.threads > 0 ? options.threads : at::get_num_threads();
  const int64_t micro = std::max<int64_t>(1, std::min(options.accumulation, batch_size));
  std::vector<torch::Tensor> total(parameters.size());
  double total_loss = 0.0;
  for (const Share& part : cut(0, batch_size, micro)) {
    std::vector<Share> shares = cut(part.first, part.count, threads);
    auto run = [&](Share& share) {
      try {
        const torch::Tensor l = loss(share.first, share.count);
        share.gradients = torch::autograd::grad({l}, parameters, {}, false, false, /*allow_unused=*/true);
        share.loss = l.item<double>();
      } catch (...) {
        share.error = std::current_exception();
      }
    };
    if (shares.size() == 1) {
      run(shares[0]);
    } else {
      std::vector<std::function<void()>> tasks;
      for (Share& share : shares) tasks.emplace_back([&run, &share] { run(share); });
      detail::run_on_share_threads(tasks);
    }
    for (const Share& share : shares) {
      if (share.error) std::rethrow_exception(share.error);
    }
    torch::NoGradGuard no_grad;
    for (const Share& share : shares) {  // a fixed order: the sum does not depend on timing
      add_into(total, share.gradients);
      total_loss += share.loss;
    }
  }
  for (size_t p = 0; p < parameters.size(); ++p) parameters[p].mutable_grad() = total[p];
  return total_loss;
}

}  // namespace nfx::training
