#include "model/grading_model.hpp"

#include "model/classifier_training.hpp"

#include <nfx/training/checkpoint.hpp>

#include <torch/torch.h>

#include <sstream>

namespace nfx::assess {

namespace {

constexpr const char* kFormat = "nfx-assess-grader-1";

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : "\n") + n;
  return out;
}

}  // namespace

torch::Tensor GradingModel::probabilities(const torch::Tensor& images) {
  return torch::softmax(classifier_logits(classifier, images).to(torch::kFloat64) / temperature, 1);
}

void save_grading_model(const GradingModel& m, const std::string& path) {
  nfx::training::CheckpointWriter c(kFormat);
  c.value("classes", joined(m.classes));
  c.value("size", m.size);
  c.value("channels", m.channels);
  c.value("temperature", m.temperature);
  c.tensor("thresholds", torch::tensor(m.thresholds, torch::kFloat64));
  std::vector<int64_t> accepted(m.accepted.begin(), m.accepted.end());
  c.tensor("accepted", torch::tensor(accepted, torch::kInt64));
  c.module("classifier", *m.classifier);
  c.save(path);
}

GradingModel load_grading_model(const std::string& path) {
  nfx::training::CheckpointReader c(path, kFormat);
  GradingModel m;
  std::stringstream names(c.text("classes"));
  for (std::string name; std::getline(names, name);) m.classes.push_back(name);
  m.size = c.integer("size");
  m.channels = c.integer("channels");
  m.temperature = c.number("temperature");
  const torch::Tensor thresholds = c.tensor("thresholds").to(torch::kFloat64).contiguous();
  const torch::Tensor accepted = c.tensor("accepted").to(torch::kInt64).contiguous();
  const auto classes = static_cast<int64_t>(m.classes.size());
  if (classes < 2 || thresholds.numel() != classes || accepted.numel() != classes || m.size < 4 ||
      (m.channels != 1 && m.channels != 3) || !(m.temperature > 0)) {
    throw nfx::training::CheckpointError(path + ": the grading model's fields do not agree (classes, thresholds, input, temperature)");
  }
  // A NaN threshold would let every item through without review.
  if (!(thresholds.ge(0) & thresholds.le(kReviewAll)).all().item<bool>()) {
    throw nfx::training::CheckpointError(path + ": a review threshold is not a number between 0 and " + std::to_string(kReviewAll));
  }
  m.thresholds.assign(thresholds.data_ptr<double>(), thresholds.data_ptr<double>() + classes);
  for (int64_t i = 0; i < classes; ++i) m.accepted.push_back(accepted[i].item<int64_t>() != 0);
  m.classifier = CompactCnn(m.channels, classes);
  c.module("classifier", *m.classifier);
  m.classifier->eval();
  return m;
}

}  // namespace nfx::assess
