// assess.eval: how a grading model of assess.train does on labelled items it never trained on (by default
// the test split it wrote, out/test.csv): accuracy, balanced accuracy, macro-F1, each class's precision and
// recall, the confusion matrix (PNG), the expected calibration error before and after temperature scaling,
// and the grading decision: the share of items sent to review and the error among the items decided
// without a person, with the curve of the one against the other (PNG). A JSON report and a log table.
#include "assess_nodes.hpp"
#include "model/classifier_training.hpp"
#include "model/grading_model.hpp"
#include "nodes/labelled_data.hpp"
#include "nodes/pictures.hpp"

#include <nfx/common/atomic_file.hpp>
#include <nfx/training/checkpoint.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/threads.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>

namespace nfx::assess {

namespace {

std::vector<float> as_floats(const torch::Tensor& t) {
  const torch::Tensor f = t.to(torch::kFloat32).contiguous();
  return std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
}

class Eval : public nfx::Node {
 public:
  explicit Eval(nfx::Params& p)
      : model_path_(p.get_string("model")), data_(p.get_string("data")), report_(p.get_string("report")),
        confusion_(p.get_string("confusion")), curve_(p.get_string("review_curve")) {
    nfx::training::apply_thread_policy(p);
    try {
      model_ = load_grading_model(model_path_);
    } catch (const nfx::training::CheckpointError& e) {
      throw nfx::ParamError("model", e.what(), NFX_ERR_IO);
    }
    if (data_.empty()) data_ = (std::filesystem::path(model_path_).parent_path() / "test.csv").string();
  }

  void process(nfx::Context& ctx) override {
    if (done_) return ctx.end_of_stream();
    const ItemTensors items = labelled_items(ctx);
    const auto classes = static_cast<int64_t>(model_.classes.size());
    const torch::Tensor logits = classifier_logits(model_.classifier, items.images).to(torch::kFloat64);
    const torch::Tensor probabilities = torch::softmax(logits / model_.temperature, 1);
    const torch::Tensor predicted = probabilities.argmax(1), truth = items.labels;
    const torch::Tensor confusion = nfx::training::confusion_matrix(predicted, truth, classes).to(torch::kDouble);
    const std::vector<int> truth_values(truth.data_ptr<int64_t>(), truth.data_ptr<int64_t>() + truth.numel());

    nlohmann::json report = {{"model", model_path_}, {"data", data_}, {"items", truth.numel()}, {"temperature", model_.temperature}};
    report["accuracy"] = (predicted == truth).to(torch::kDouble).mean().item<double>();
    report["balanced_accuracy"] = nfx::training::balanced_accuracy(predicted, truth, classes);
    report["macro_f1"] = nfx::training::macro_f1(predicted, truth, classes);
    const torch::Tensor calibrated_rows = probabilities.contiguous();
    const std::vector<double> calibrated(calibrated_rows.data_ptr<double>(), calibrated_rows.data_ptr<double>() + calibrated_rows.numel());
    report["ece"] = expected_calibration_error(softmax(as_floats(logits), static_cast<int>(classes)), static_cast<int>(classes), truth_values);
    report["ece_calibrated"] = expected_calibration_error(calibrated, static_cast<int>(classes), truth_values);
    // The model's decisions, by the rule assess.classify applies: decided or sent to review.
    std::vector<uint8_t> decided_values;
    for (int64_t i = 0; i < truth.numel(); ++i) {
      const double* row = calibrated.data() + i * classes;
      decided_values.push_back(decide(row, static_cast<int>(classes), model_.thresholds, model_.accepted) != Decision::review);
    }
    const torch::Tensor decided = torch::tensor(decided_values, torch::kUInt8).to(torch::kBool), correct = predicted == truth;
    const double n = static_cast<double>(truth.numel()), kept = decided.sum().item<double>();
    report["review_share"] = 1 - kept / n;
    report["error_decided"] = kept > 0 ? (decided & ~correct).sum().item<double>() / kept : 0.0;
    report["error_without_review"] = 1 - report["accuracy"].get<double>();
    nlohmann::json per_class = nlohmann::json::array();
    std::string table = "| class | items | precision | recall | sent to review |\n|---|---|---|---|---|\n";
    for (int64_t c = 0; c < classes; ++c) {
      const double items_c = confusion[c].sum().item<double>(), predicted_c = confusion.select(1, c).sum().item<double>();
      const double hit = confusion[c][c].item<double>();
      const double precision = predicted_c > 0 ? hit / predicted_c : 0.0, recall = items_c > 0 ? hit / items_c : 0.0;
      const torch::Tensor of_class = truth == c;
      const double reviewed = items_c > 0 ? (of_class & ~decided).sum().item<double>() / items_c : 0.0;
      per_class.push_back({{"class", model_.classes[static_cast<size_t>(c)]}, {"items", items_c}, {"precision", precision},
                           {"recall", recall}, {"review_share", reviewed}, {"threshold", model_.thresholds[static_cast<size_t>(c)]}});
      char row[256];
      std::snprintf(row, sizeof row, "| %s | %.0f | %.3f | %.3f | %.1f%% |\n", model_.classes[static_cast<size_t>(c)].c_str(), items_c,
                    precision, recall, 100 * reviewed);
      table += row;
    }
    report["classes"] = per_class;
    const torch::Tensor counts = confusion.to(torch::kInt64).contiguous();
    report["confusion"] = nlohmann::json::array();
    for (int64_t r = 0; r < classes; ++r) report["confusion"].push_back(std::vector<int64_t>(counts[r].data_ptr<int64_t>(), counts[r].data_ptr<int64_t>() + classes));
    std::vector<std::pair<double, double>> points;
    report["review_curve"] = nlohmann::json::array();
    for (const ReviewPoint& p : review_curve(calibrated, static_cast<int>(classes), truth_values,
                                             {0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999})) {
      report["review_curve"].push_back({{"threshold", p.threshold}, {"review", p.review}, {"error_decided", p.error}});
      points.emplace_back(p.review, p.error);
    }

    if (!confusion_.empty()) write_confusion_png(confusion_, confusion, model_.classes);
    if (!curve_.empty()) write_review_curve_png(curve_, points, {report["review_share"].get<double>(), report["error_decided"].get<double>()});
    if (!report_.empty()) {
      const std::string text = report.dump(1) + "\n";
      nfx::plugins::write_file_atomically(report_, text.data(), text.size());
    }
    char summary[512];
    std::snprintf(summary, sizeof summary,
                  "%lld items: accuracy %.3f, balanced accuracy %.3f, macro-F1 %.3f, ECE %.3f (%.3f before temperature); "
                  "%.1f%% sent to review, error %.2f%% among the rest (%.2f%% with no review)\n",
                  static_cast<long long>(truth.numel()), report["accuracy"].get<double>(), report["balanced_accuracy"].get<double>(),
                  report["macro_f1"].get<double>(), report["ece_calibrated"].get<double>(), report["ece"].get<double>(),
                  100 * report["review_share"].get<double>(), 100 * report["error_decided"].get<double>(),
                  100 * report["error_without_review"].get<double>());
    ctx.log(NFX_LOG_INFO, summary + table);
    ctx.output_scalar(0, report["balanced_accuracy"].get<double>());
    ctx.output_scalar(1, report["review_share"].get<double>());
    done_ = true;
  }

 private:
  // The labelled items, their labels mapped onto the model's classes by name.
  ItemTensors labelled_items(nfx::Context& ctx) {
    const LabelledSet set = read_labelled(data_);
    std::vector<int64_t> to_model;
    for (const std::string& name : set.classes) {
      const auto at = std::find(model_.classes.begin(), model_.classes.end(), name);
      if (at == model_.classes.end()) throw nfx::ParamError("data", data_ + ": class \"" + name + "\" is not one of the model's");
      to_model.push_back(at - model_.classes.begin());
    }
    std::vector<int64_t> all(set.files.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    ItemTensors items = as_tensors(load_and_report(set, all, static_cast<int>(model_.size), static_cast<int>(model_.channels), ctx));
    if (items.labels.numel() == 0) throw nfx::Error(data_ + ": no image could be read", NFX_ERR_IO);
    items.labels = torch::tensor(to_model, torch::kInt64).index_select(0, items.labels);
    return items;
  }

  std::string model_path_, data_, report_, confusion_, curve_;
  GradingModel model_;
  bool done_ = false;
};

}  // namespace

void register_eval_node(nfx::PluginBuilder& plugin) {
  plugin.node<Eval>("assess.eval", "Scores a grading model on labelled items it did not train on: accuracy, balanced accuracy, "
                                   "macro-F1, per-class precision and recall, confusion matrix, calibration error, the share "
                                   "sent to review and the error among the rest; JSON report and pictures")
      .output(nfx::port("balanced_accuracy", NFX_KIND_SCALAR, "balanced accuracy (mean recall over classes)"))
      .output(nfx::port("review_share", NFX_KIND_SCALAR, "share of the items the model sends to review"))
      .param(nfx::required(nfx::string_param("model", "", "grader.pt of assess.train")))
      .param(nfx::string_param("data", "", "labelled items: a class folder or a file,label CSV (empty: test.csv beside the model, "
                                           "the test split assess.train held out)"))
      .param(nfx::string_param("report", "", "JSON report (empty: the log only)"))
      .param(nfx::string_param("confusion", "", "confusion matrix picture, PNG (empty: none)"))
      .param(nfx::string_param("review_curve", "", "picture of the error among decided items against the share sent to review, PNG "
                                                   "(empty: none)"));
}

}  // namespace nfx::assess
