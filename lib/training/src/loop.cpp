#include <nfx/training/loop.hpp>

#include <nfx/training/random.hpp>

#include <nfx/common/atomic_file.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace nfx::training {

namespace fs = std::filesystem;

namespace {
constexpr const char* kCurveKey = "loop.curve";  // the curve's CSV text, of which curve.csv is a copy
}  // namespace

Run::Run(LoopOptions options, LoopHooks hooks)
    : options_(std::move(options)), hooks_(std::move(hooks)), generator_(make_generator(derive_seed(options_.seed, "run"))) {}

Loop::Loop(Task& task, LoopOptions options, LoopHooks hooks) : Run(std::move(options), std::move(hooks)), task_(task) {
  if (options_.minutes <= 0 && options_.epochs <= 0) {
    throw std::invalid_argument("set a time budget (minutes) or a number of epochs: with neither, training never ends");
  }
  if (options_.validate_every < 1) throw std::invalid_argument("validate_every must be at least 1");
}

void Loop::begin(const std::string& state) {
  std::error_code ec;
  fs::create_directories(options_.out, ec);
  std::string from = state;
  if (from.empty() && options_.resume && fs::exists(checkpoint_path(), ec)) from = checkpoint_path().string();
  begun_ = true;
  // What a run killed while writing left behind.
  nfx::plugins::remove_stale_temporaries(options_.out);  // the curve's, from a run that was killed
  for (const char* partial : {"checkpoint.pt.partial", "best.pt.partial"}) {
    fs::remove(options_.out / partial, ec);
  }
  if (!from.empty()) {
    read_checkpoint(from);
    log("resuming " + from + " after epoch " + std::to_string(progress_.epoch) + " (" +
        std::to_string(static_cast<int64_t>(progress_.seconds)) + " s trained)");
    return;
  }
  // A fresh start replaces an earlier run's files only once its own first checkpoint is written, so a run
  // stopped before that leaves the earlier run as it was.
  replacing_ = true;
  curve_.clear();
  task_.start(*this);
}

bool Loop::out_of_time() const { return options_.minutes > 0 && progress_.seconds >= options_.minutes * 60.0; }

bool Loop::done() const { return out_of_time() || (options_.epochs > 0 && progress_.epoch >= options_.epochs); }

double Loop::budget_at(int64_t step, int64_t steps) const {
  const double by_time = options_.minutes > 0 ? progress_.seconds / (options_.minutes * 60.0) : 0.0;
  const double by_epochs =
      options_.epochs > 0
          ? (static_cast<double>(progress_.epoch) + static_cast<double>(step) / static_cast<double>(steps)) /
                static_cast<double>(options_.epochs)
          : 0.0;
  return std::max(by_time, by_epochs);
}

EpochResult Loop::run_epoch() {
  if (!begun_) begin();
  EpochResult result;
  result.epoch = progress_.epoch;
  if (done()) return result;
  const int64_t steps = std::max<int64_t>(1, options_.steps_per_epoch > 0 ? options_.steps_per_epoch : task_.steps_per_epoch());
  task_.begin_epoch(*this);
  std::vector<std::string> names;
  std::map<std::string, double> sums;
  auto last = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps && !out_of_time(); ++s) {
    if (cancelled()) {
      result.cancelled = true;
      break;
    }
    budget_used_ = budget_at(s, steps);
    const Values figures = task_.step(*this, s);
    if (names.empty()) {
      for (const auto& [name, value] : figures) names.push_back(name);
    }
    for (const auto& [name, value] : figures) sums[name] += value;
    ++result.steps;
    ++progress_.step;
    const auto now = std::chrono::steady_clock::now();
    progress_.seconds += std::chrono::duration<double>(now - last).count();
    last = now;
    hooks_.progress(static_cast<double>(s + 1), static_cast<double>(steps));
  }
  result.cancelled = result.cancelled || cancelled();
  if (result.steps > 0) ++progress_.epoch;  // a partial epoch counts: the next run starts a new one
  result.epoch = progress_.epoch;
  for (const std::string& name : names) result.train.emplace_back(name, sums[name] / static_cast<double>(result.steps));
  if (result.cancelled) {
    if (result.steps > 0) write_checkpoint({checkpoint_path().string()});
    log("cancelled in epoch " + std::to_string(progress_.epoch) + "; " + checkpoint_path().string() + " holds the state");
    return result;
  }
  if (progress_.epoch % options_.validate_every != 0 && !done()) {
    write_checkpoint({checkpoint_path().string()});
    return result;
  }
  result.held_out = task_.validate(*this);
  Values row{{"epoch", static_cast<double>(progress_.epoch)}, {"step", static_cast<double>(progress_.step)},
             {"seconds", std::round(progress_.seconds * 10.0) / 10.0}};
  std::string line = "epoch " + std::to_string(progress_.epoch) + ":";
  for (const auto& [name, value] : result.train) {
    row.emplace_back("train_" + name, value);
    line += " train " + name + " " + std::to_string(value) + ",";
  }
  bool improved = false;
  for (const auto& [name, value] : result.held_out) {
    row.emplace_back("held_out_" + name, value);
    line += " held out " + name + " " + std::to_string(value) + ",";
    if (name == options_.best && std::isfinite(value)) {
      improved = !progress_.has_best || (options_.higher_is_better ? value > progress_.best : value < progress_.best);
      if (improved) {
        progress_.best = value;
        progress_.has_best = true;
      }
    }
  }
  line.pop_back();
  // The checkpoint holds the curve too and is written first: curve.csv is a copy, rewritten whole after
  // it, so a run killed in between leaves no row the checkpoint does not know (the next epoch rewrites it).
  curve_ = with_curve_row(curve_, row);
  if (improved) {
    write_checkpoint({checkpoint_path().string(), best_path().string()});
  } else {
    write_checkpoint({checkpoint_path().string()});
  }
  const std::string csv = (options_.out / "curve.csv").string();
  write_curve(csv, curve_);
  plot_curve(csv, (options_.out / "curve.png").string());
  log(line);
  return result;
}

void Loop::run() {
  if (!begun_) begin();
  while (!done() && !cancelled()) run_epoch();
}

void Loop::write_checkpoint(const std::vector<std::string>& paths) {
  CheckpointWriter checkpoint(options_.format);  // the state is gathered once, however many files get it
  task_.save(checkpoint);
  checkpoint.progress(progress_);
  checkpoint.generator("run", generator_);
  checkpoint.value(kCurveKey, curve_);
  for (const std::string& path : paths) checkpoint.save(path);
  if (replacing_) {  // this run's first checkpoint is safe: the earlier run's other files go
    std::error_code ec;
    if (std::find(paths.begin(), paths.end(), best_path().string()) == paths.end()) fs::remove(best_path(), ec);
    fs::remove(options_.out / "curve.csv", ec);
    fs::remove(options_.out / "curve.png", ec);
    replacing_ = false;
  }
}

void Loop::read_checkpoint(const std::string& path) {
  CheckpointReader checkpoint(path, options_.format);
  task_.load(checkpoint);
  progress_ = checkpoint.progress();
  checkpoint.generator("run", generator_);  // absent from checkpoints of older versions: the seed's stream then
  curve_.clear();
  if (checkpoint.has(kCurveKey)) {
    curve_ = checkpoint.text(kCurveKey);
  } else if (std::ifstream old{options_.out / "curve.csv", std::ios::binary}) {  // checkpoints of older versions
    curve_.assign(std::istreambuf_iterator<char>(old), {});
  }
}

void Loop::save(const std::string& path) {
  if (!begun_) throw std::logic_error("nothing was trained yet, so there is no state to save");
  write_checkpoint({path});
}

void Loop::load(const std::string& path) {
  if (!begun_) {
    begin(path);
    return;
  }
  read_checkpoint(path);
}

}  // namespace nfx::training
