// assess.sample_data: writes the sample data sets out as a quality engineer's folders, so the graphs and a
// first-time user start from the same layout as their own data: `to`/train/<class>/*.png with an induced
// imbalance (`keep`), and `to`/test/<class>/*.png balanced and untouched by it. Fashion-MNIST from its IDX
// files (train from the training file, test from the test file), the digits from OpenCV's digits.png
// (test: a stratified fifth), or the sweets cut from smarties.png (labelled by colour; train and test from
// different sweets).
#include "assess_nodes.hpp"
#include "model/class_folders_writer.hpp"
#include "model/idx_files.hpp"
#include "model/splits.hpp"
#include "model/sweet_crops.hpp"
#include "nodes/labelled_data.hpp"

#include <nfx/training/random.hpp>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

namespace nfx::assess {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kFashionClasses = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                                  "sandal",  "shirt",   "sneaker",  "bag",   "ankle-boot"};
const std::vector<std::string> kDigitClasses = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
constexpr const char* kMarker = ".nfx-sample-data";  // a folder this node wrote, and may write again

struct Gray {
  std::vector<uint8_t> pixels, labels;  // count x rows x columns
  int64_t rows = 0, columns = 0;
};

std::vector<int> as_ints(const std::vector<uint8_t>& labels) { return std::vector<int>(labels.begin(), labels.end()); }

std::vector<int64_t> all_of(size_t n) {
  std::vector<int64_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = static_cast<int64_t>(i);
  return all;
}

// Of `which`, at most `per_class` items of each class (seeded), 0: all.
std::vector<int64_t> at_most(const std::vector<int64_t>& which, const std::vector<uint8_t>& labels, int64_t per_class, uint64_t seed) {
  if (per_class <= 0) return which;
  std::map<int, int64_t> counts;
  for (int64_t i : which) ++counts[labels[static_cast<size_t>(i)]];
  std::map<int, double> keep;
  for (const auto& [c, n] : counts) keep[c] = std::min(1.0, (static_cast<double>(per_class) + 0.25) / static_cast<double>(n));
  return induce_imbalance(which, as_ints(labels), keep, seed);
}

class SampleData : public nfx::Node {
 public:
  explicit SampleData(nfx::Params& p)
      : dataset_(p.get_string("dataset")), from_(p.get_string("from")), to_(p.get_string("to")), keep_(p.get_string("keep")),
        train_per_class_(p.get_int("train_per_class")), test_per_class_(p.get_int("test_per_class")),
        seed_(static_cast<uint64_t>(p.get_int("seed"))) {
    std::error_code ec;
    if (fs::exists(to_, ec) && !fs::is_empty(to_, ec) && !fs::exists(fs::path(to_) / kMarker, ec)) {
      throw nfx::ParamError("to", to_ + " exists and was not written by assess.sample_data: choose another folder", NFX_ERR_IO);
    }
  }

  void process(nfx::Context& ctx) override {
    if (done_) return ctx.end_of_stream();
    // Rewritten whole: a folder of an earlier run with other settings must not leave files behind.
    fs::remove_all(fs::path(to_) / "train");
    fs::remove_all(fs::path(to_) / "test");
    fs::create_directories(to_);
    std::ofstream(fs::path(to_) / kMarker) << "written by assess.sample_data; rewritten whole when it runs again\n";
    int64_t train = 0, test = 0;
    if (dataset_ == "smarties") {
      const SweetSet sweets = cut_sweets(from_, seed_);
      train = write_sweets(sweets, true);
      test = write_sweets(sweets, false);
    } else {
      const bool fashion = dataset_ == "fashion-mnist";
      const std::vector<std::string>& classes = fashion ? kFashionClasses : kDigitClasses;
      const std::map<int, double> keep = class_shares(keep_, classes);
      Gray train_set, test_set;
      std::vector<int64_t> train_items, test_items;
      if (fashion) {
        train_set = read_idx(from_ + "/train");
        test_set = read_idx(from_ + "/t10k");
        train_items = all_of(train_set.labels.size());
        test_items = all_of(test_set.labels.size());
      } else {
        train_set = read_digits(from_);
        test_set = train_set;
        const Split split = stratified_split(as_ints(train_set.labels), 10, 0.0, 0.2, seed_);
        train_items = split.train;
        test_items = split.test;
      }
      train_items = induce_imbalance(at_most(train_items, train_set.labels, train_per_class_, seed_), as_ints(train_set.labels), keep,
                                     nfx::training::derive_seed(seed_, "keep"));
      test_items = at_most(test_items, test_set.labels, test_per_class_, nfx::training::derive_seed(seed_, "test"));
      train = write_class_folders(train_set.pixels, train_set.rows, train_set.columns, train_set.labels, classes, train_items,
                                  (fs::path(to_) / "train").string());
      test = write_class_folders(test_set.pixels, test_set.rows, test_set.columns, test_set.labels, classes, test_items,
                                 (fs::path(to_) / "test").string());
    }
    ctx.log(NFX_LOG_INFO, dataset_ + ": " + std::to_string(train) + " training and " + std::to_string(test) + " test images in " + to_);
    ctx.output_scalar(0, static_cast<double>(train));
    done_ = true;
  }

 private:
  static Gray read_idx(const std::string& prefix) {
    const IdxImages images = read_idx_images(prefix + "-images-idx3-ubyte.gz");
    Gray g{images.pixels, read_idx_labels(prefix + "-labels-idx1-ubyte.gz"), images.rows, images.columns};
    if (static_cast<int64_t>(g.labels.size()) != images.count) throw nfx::Error(prefix + ": images and labels differ in number", NFX_ERR_IO);
    return g;
  }

  // digits.png: 50 rows x 100 columns of 20 x 20 digits, 500 of each class in order.
  static Gray read_digits(const std::string& path) {
    const cv::Mat sheet = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (sheet.cols != 2000 || sheet.rows != 1000) throw nfx::ParamError("from", path + ": not OpenCV's digits.png (2000 x 1000)", NFX_ERR_IO);
    Gray g;
    g.rows = g.columns = 20;
    for (int i = 0; i < 5000; ++i) {
      const cv::Mat digit = sheet(cv::Rect((i % 100) * 20, (i / 100) * 20, 20, 20)).clone();
      g.pixels.insert(g.pixels.end(), digit.datastart, digit.dataend);
      g.labels.push_back(static_cast<uint8_t>(i / 500));
    }
    return g;
  }

  int64_t write_sweets(const SweetSet& sweets, bool train) {
    const std::string root = (fs::path(to_) / (train ? "train" : "test")).string();
    int64_t written = 0;
    for (const SweetCrop& crop : sweets.crops) {
      if (crop.train != train) continue;
      const fs::path folder = fs::path(root) / sweets.colours[static_cast<size_t>(crop.colour)];
      fs::create_directories(folder);
      char name[48];
      std::snprintf(name, sizeof name, "sweet%02d-%03d.png", crop.sweet, crop.view);
      if (!cv::imwrite((folder / name).string(), crop.image)) throw nfx::Error((folder / name).string() + ": cannot be written", NFX_ERR_IO);
      ++written;
    }
    return written;
  }

  std::string dataset_, from_, to_, keep_;
  int64_t train_per_class_, test_per_class_;
  uint64_t seed_;
  bool done_ = false;
};

}  // namespace

void register_sample_data_node(nfx::PluginBuilder& plugin) {
  plugin.node<SampleData>("assess.sample_data", "Writes a sample data set out as class folders (to/train with an induced imbalance, "
                                                "to/test balanced): Fashion-MNIST, OpenCV's digits, or the sweets of smarties.png "
                                                "labelled by colour")
      .output(nfx::port("train_items", NFX_KIND_SCALAR, "how many training images were written"))
      .param(nfx::string_param("dataset", "fashion-mnist", "which sample", "fashion-mnist|digits|smarties"))
      .param(nfx::required(nfx::string_param("from", "", "the fashion-mnist folder of the data cache (its IDX files), digits.png, "
                                                           "or smarties.png")))
      .param(nfx::required(nfx::string_param("to", "", "the folder to write (train/ and test/ inside); rewritten whole on a later run")))
      .param(nfx::string_param("keep", "", "CLASS=SHARE pairs joined by commas: only that share of the class's training images "
                                           "written (the induced imbalance; not for smarties, whose brown sweets are rare as they are)"))
      .param(nfx::int_param("train_per_class", 1000, "training images of each class before `keep` (0: all)", 0, 1e7))
      .param(nfx::int_param("test_per_class", 200, "test images of each class (0: all)", 0, 1e7))
      .param(nfx::int_param("seed", 1, "seed of the draws", 0, 1e15));
}

}  // namespace nfx::assess
