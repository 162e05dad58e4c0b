#include "model/classifier_training.hpp"

#include "model/rebalancing.hpp"

#include <nfx/base.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/random.hpp>

#include <torch/torch.h>

#include <chrono>

namespace nfx::assess {

namespace {

constexpr Remedy kRemedies[] = {Remedy::plain, Remedy::class_weights, Remedy::oversampling, Remedy::smote, Remedy::focal};

std::vector<int64_t> counts_of(const torch::Tensor& labels, int64_t classes) {
  const torch::Tensor counts = torch::bincount(labels, {}, classes).to(torch::kInt64);
  return std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + classes);
}

// SMOTE in pixel space: every class brought up to the largest with new images on the segments between an
// image and one of its nearest images of the class. Returns the images and labels with the new ones after.
std::pair<torch::Tensor, torch::Tensor> with_smote(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes,
                                                   int neighbours, uint64_t seed) {
  const std::vector<int64_t> counts = counts_of(labels, classes);
  const int64_t largest = *std::max_element(counts.begin(), counts.end());
  std::vector<int64_t> wanted;
  for (int64_t c : counts) wanted.push_back(c > 0 ? largest - c : 0);
  const int64_t d = images[0].numel();
  const torch::Tensor flat = images.reshape({images.size(0), d}).to(torch::kFloat32).contiguous();
  const torch::Tensor label_tensor = labels.to(torch::kInt32).contiguous();
  const std::vector<float> features(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  const std::vector<int> label_values(label_tensor.data_ptr<int>(), label_tensor.data_ptr<int>() + label_tensor.numel());
  Synthetic made = smote(features, d, label_values, wanted, neighbours, seed);
  if (made.labels.empty()) return {images, labels};
  const int64_t n = static_cast<int64_t>(made.labels.size());
  std::vector<int64_t> shape = images.sizes().vec();
  shape[0] = n;
  const torch::Tensor new_images = torch::from_blob(made.features.data(), shape, torch::kFloat32).round().clamp(0, 255).to(torch::kUInt8);
  const torch::Tensor new_labels = torch::tensor(std::vector<int64_t>(made.labels.begin(), made.labels.end()), torch::kInt64);
  return {torch::cat({images, new_images}), torch::cat({labels, new_labels})};
}

}  // namespace

const char* remedy_name(Remedy remedy) {
  switch (remedy) {
    case Remedy::plain: return "plain";
    case Remedy::class_weights: return "class-weights";
    case Remedy::oversampling: return "oversampling";
    case Remedy::smote: return "smote";
    case Remedy::focal: break;
  }
  return "focal";
}

Remedy remedy_named(const std::string& name) {
  for (Remedy r : kRemedies) {
    if (name == remedy_name(r)) return r;
  }
  throw nfx::Error("remedy \"" + name + "\": expected plain, class-weights, oversampling, smote or focal");
}

ClassifierTrainer::ClassifierTrainer(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes, const ClassifierTraining& o)
    : options_(o), images_(images), labels_(labels) {
  if (images.dim() != 4 || images.scalar_type() != torch::kUInt8 || labels.size(0) != images.size(0) || images.size(0) == 0) {
    throw nfx::Error("classifier training takes N x C x S x S uint8 images and N labels");
  }
  if (o.remedy == Remedy::smote) std::tie(images_, labels_) = with_smote(images, labels, classes, o.smote_neighbours, nfx::training::derive_seed(o.seed, "smote"));
  if (o.remedy == Remedy::class_weights) loss_.class_weights = balanced_class_weights(counts_of(labels, classes));
  if (o.remedy == Remedy::focal) loss_.focal_gamma = o.focal_gamma;
  std::vector<int64_t> pool(static_cast<size_t>(images_.size(0)));
  for (size_t i = 0; i < pool.size(); ++i) pool[i] = static_cast<int64_t>(i);
  if (o.remedy == Remedy::oversampling) {
    const torch::Tensor label_tensor = labels_.to(torch::kInt32).contiguous();
    const std::vector<int> label_values(label_tensor.data_ptr<int>(), label_tensor.data_ptr<int>() + label_tensor.numel());
    pool = oversample(pool, label_values, static_cast<int>(classes), nfx::training::derive_seed(o.seed, "oversampling"));
  }
  pool_ = torch::tensor(pool, torch::kInt64);
  torch::Generator init = nfx::training::make_generator(nfx::training::derive_seed(o.seed, "init"));
  model_ = CompactCnn(images.size(1), classes);
  nfx::training::reset_parameters(*model_, init);
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(o.learning_rate));
}

double ClassifierTrainer::step(torch::Generator& generator, double learning_rate) {
  model_->train();
  const torch::Tensor pick = pool_.index_select(0, torch::randint(pool_.size(0), {std::min(options_.batch, pool_.size(0))}, generator));
  const torch::Tensor batch = images_.index_select(0, pick).to(torch::kFloat32) / 255.0;
  optimizer_->zero_grad();
  const torch::Tensor value = classification_loss(model_->forward(batch), labels_.index_select(0, pick), loss_);
  value.backward();
  nfx::training::set_learning_rate(*optimizer_, learning_rate);
  nfx::training::clipped_step(*optimizer_, options_.clip_norm);
  return value.item<double>();
}

TrainedClassifier train_classifier(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes,
                                   const ClassifierTraining& o, const std::function<void(double)>& progress) {
  if (o.seconds <= 0 && o.max_steps <= 0) throw nfx::Error("classifier training needs a time budget or a step count");
  const auto start = std::chrono::steady_clock::now();
  ClassifierTrainer trainer(images, labels, classes, o);
  torch::Generator batches = nfx::training::make_generator(nfx::training::derive_seed(o.seed, "batches"));
  TrainedClassifier trained;
  trained.items = trainer.pool_items();
  std::vector<double> losses;
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  for (;;) {
    if (o.max_steps > 0 && trained.steps >= o.max_steps) break;
    if (o.seconds > 0 && elapsed() >= o.seconds) break;
    losses.push_back(trainer.step(batches, o.learning_rate));
    ++trained.steps;
    if (progress && trained.steps % 20 == 0) {
      progress(o.seconds > 0 ? std::min(1.0, elapsed() / o.seconds) : static_cast<double>(trained.steps) / static_cast<double>(o.max_steps));
    }
  }
  trained.model = trainer.model();
  trained.model->eval();
  trained.seconds = elapsed();
  const size_t window = std::min<size_t>(20, losses.size());
  for (size_t i = 0; i < window; ++i) {
    trained.first_loss += losses[i] / static_cast<double>(window);
    trained.last_loss += losses[losses.size() - window + i] / static_cast<double>(window);
  }
  return trained;
}

torch::Tensor classifier_logits(CompactCnn& model, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images.size(0); i += batch) {
    parts.push_back(model->forward(images.narrow(0, i, std::min(batch, images.size(0) - i)).to(torch::kFloat32) / 255.0));
  }
  return torch::cat(parts);
}

}  // namespace nfx::assess
