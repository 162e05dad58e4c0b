#include <nfx/training/schedule.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nfx::training {

double Schedule::at(int64_t steps_done, double budget_used) const {
  const double warmup =
      std::min(1.0, static_cast<double>(steps_done + 1) / static_cast<double>(std::max<int64_t>(1, warmup_steps)));
  double decay = 1.0;
  if (shape == "cosine") {
    decay = 0.5 * (1.0 + std::cos(M_PI * std::clamp(budget_used, 0.0, 1.0)));
  } else if (shape != "constant") {
    throw std::invalid_argument("unknown learning-rate schedule '" + shape + "' (constant or cosine)");
  }
  return learning_rate * warmup * decay;
}

}  // namespace nfx::training
