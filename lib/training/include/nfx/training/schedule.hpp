// Learning-rate schedules: a linear warm-up, then constant or a half cosine to 0 as the budget runs out.
#pragma once

#include <cstdint>
#include <string>

namespace nfx::training {

struct Schedule {
  double learning_rate = 1e-3;
  int64_t warmup_steps = 0;        // the rate grows linearly to its value over these steps
  std::string shape = "constant";  // after warm-up: "constant", or "cosine" (falls to 0 along half a cosine)

  // The rate for the step after `steps_done` steps, with `budget_used` (0 to 1; see Run::budget_used) of
  // the training budget spent. Throws std::invalid_argument for an unknown shape.
  double at(int64_t steps_done, double budget_used) const;
};

}  // namespace nfx::training
