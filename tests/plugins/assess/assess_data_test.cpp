// The assess plugin's data and decisions without LibTorch (issue 18): class folders and CSVs with errors
// that name the class or the line, stratified splits and induced imbalance with counts worked out by hand,
// temperature scaling recovering a known overconfidence, the calibration error of a hand-worked example,
// and the grading decision.
#include "model/calibration.hpp"
#include "model/labelled_folder.hpp"
#include "model/splits.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

namespace a = nfx::assess;
using namespace nfx::test;

namespace {

void touch(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << "x";
}

}  // namespace

TEST(LabelledFolder, ClassesAreSubFoldersAndAnEmptyOneIsNamed) {
  TempDir dir;
  for (const char* f : {"good/a.png", "good/b.JPG", "good/c.webp", "defect/d.png", "defect/batch2/e.tif", "defect/notes.txt",
                        ".cache/f.png", "readme.png"}) {
    touch(dir / f);
  }
  const a::LabelledSet set = a::scan_class_folders(dir.path().string());
  EXPECT_EQ(set.classes, (std::vector<std::string>{"defect", "good"}));
  EXPECT_EQ(a::class_counts(set), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(set.files.front().path, dir / "defect/batch2/e.tif");
  EXPECT_EQ(set.files.front().label, 0);

  fs::create_directories(dir / "impure");
  const std::string empty = error_of([&] { a::scan_class_folders(dir.path().string()); });
  EXPECT_NE(empty.find("class \"impure\""), std::string::npos) << empty;
  EXPECT_NE(empty.find("holds no image"), std::string::npos) << empty;
  const std::string missing = error_of([&] { a::scan_class_folders(dir / "none"); });
  EXPECT_NE(missing.find("none: no such folder"), std::string::npos) << missing;
}

TEST(LabelledFolder, CsvListsFilesAndLocatesItsErrors) {
  TempDir dir;
  touch(dir / "img/1.png");
  touch(dir / "img/2.png");
  touch(dir / "img/3.png");
  std::ofstream(dir / "labels.csv") << "file,label\n# a comment\nimg/1.png, good\n\nimg/2.png,defect\nimg/3.png,good\n";
  const a::LabelledSet set = a::read_label_csv(dir / "labels.csv");
  EXPECT_EQ(set.classes, (std::vector<std::string>{"defect", "good"}));
  EXPECT_EQ(a::class_counts(set), (std::vector<int64_t>{1, 2}));

  std::ofstream(dir / "bad.csv") << "file,label\nimg/1.png,good\nimg/2.png\n";
  const std::string bad = error_of([&] { a::read_label_csv(dir / "bad.csv"); });
  EXPECT_NE(bad.find("bad.csv:3: expected file,label"), std::string::npos) << bad;
  std::ofstream(dir / "gone.csv") << "img/1.png,good\nimg/9.png,defect\n";
  const std::string gone = error_of([&] { a::read_label_csv(dir / "gone.csv"); });
  EXPECT_NE(gone.find("gone.csv:2: "), std::string::npos) << gone;
  EXPECT_NE(gone.find("9.png: no such file"), std::string::npos) << gone;
}

TEST(Splits, StratifiedSharesPerClassAndInducedImbalance) {
  // 100 items of class 0, 10 of class 1, 3 of class 2, interleaved.
  std::vector<int> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(0);
  for (int i = 0; i < 10; ++i) labels.insert(labels.begin() + 7 * i, 1);
  for (int i = 0; i < 3; ++i) labels.push_back(2);
  const a::Split split = a::stratified_split(labels, 3, 0.1, 0.2, 5);
  const auto count = [&](const std::vector<int64_t>& part, int c) {
    return std::count_if(part.begin(), part.end(), [&](int64_t i) { return labels[i] == c; });
  };
  // class 0: 20 test, 10 validation, 70 train; class 1: 2, 1, 7; class 2 (3 items): one in each part.
  EXPECT_EQ(count(split.test, 0), 20);
  EXPECT_EQ(count(split.validation, 0), 10);
  EXPECT_EQ(count(split.train, 0), 70);
  EXPECT_EQ(count(split.test, 1), 2);
  EXPECT_EQ(count(split.validation, 1), 1);
  EXPECT_EQ(count(split.train, 1), 7);
  EXPECT_EQ(count(split.test, 2), 1);
  EXPECT_EQ(count(split.validation, 2), 1);
  EXPECT_EQ(count(split.train, 2), 1);
  std::vector<int64_t> all = split.train;
  all.insert(all.end(), split.validation.begin(), split.validation.end());
  all.insert(all.end(), split.test.begin(), split.test.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<int64_t>(i));  // disjoint, and every item once
  EXPECT_EQ(a::stratified_split(labels, 3, 0.1, 0.2, 5).test, split.test);
  EXPECT_NE(a::stratified_split(labels, 3, 0.1, 0.2, 6).test, split.test);

  // Class 1 kept at 50% of its 7 training items: round(3.5) = 4; class 0 whole.
  const std::vector<int64_t> kept = a::induce_imbalance(split.train, labels, {{1, 0.5}}, 9);
  EXPECT_EQ(count(kept, 1), 4);
  EXPECT_EQ(count(kept, 0), 70);
  for (int64_t i : kept) EXPECT_TRUE(std::binary_search(split.train.begin(), split.train.end(), i));
  EXPECT_EQ(count(a::induce_imbalance(split.train, labels, {{1, 0.02}}, 9), 1), 1);  // at least one stays
  EXPECT_THROW(a::stratified_split(labels, 3, 0.5, 0.5, 1), nfx::Error);
}

TEST(Calibration, TemperatureScalingUndoesAKnownOverconfidence) {
  // Labels drawn from softmax(z); the classifier's logits are 3 z: too sure by a temperature of 3.
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0.0, 1.5);
  const int classes = 4, n = 6000;
  std::vector<float> logits;
  std::vector<int> labels;
  for (int i = 0; i < n; ++i) {
    std::vector<float> z(classes);
    for (float& v : z) v = static_cast<float>(normal(rng));
    const std::vector<double> p = a::softmax(z, classes);
    std::discrete_distribution<int> draw(p.begin(), p.end());
    labels.push_back(draw(rng));
    for (float v : z) logits.push_back(3 * v);
  }
  const double t = a::fit_temperature(logits, classes, labels);
  EXPECT_NEAR(t, 3.0, 0.2);
  EXPECT_LT(a::negative_log_likelihood(logits, classes, labels, t), a::negative_log_likelihood(logits, classes, labels, 1.0));
  EXPECT_LT(a::expected_calibration_error(a::softmax(logits, classes, t), classes, labels),
            a::expected_calibration_error(a::softmax(logits, classes, 1.0), classes, labels));
}

TEST(Calibration, CalibrationErrorAndDecisionsMatchHandWorkedExamples) {
  // Confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (right). Ten bins: each alone, so
  // (0.1 + 0.8 + 0.3 + 0.4) / 4 = 0.4; two bins: all in [0.5, 1], 3 right against 3.0 confidence, 0.
  const std::vector<double> p = {0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4};
  const std::vector<int> labels = {0, 1, 1, 0};
  EXPECT_NEAR(a::expected_calibration_error(p, 2, labels, 10), 0.4, 1e-12);
  EXPECT_NEAR(a::expected_calibration_error(p, 2, labels, 2), 0.0, 1e-12);

  const std::vector<bool> accepted = {true, false, false};  // class 0 is good, 1 and 2 defects
  const double sure_good[] = {0.7, 0.2, 0.1}, sure_defect[] = {0.1, 0.85, 0.05};
  EXPECT_EQ(a::decide(sure_good, 3, {0.8, 0.5, 0.5}, accepted), a::Decision::review);
  EXPECT_EQ(a::decide(sure_good, 3, {0.6, 0.5, 0.5}, accepted), a::Decision::accept);
  EXPECT_EQ(a::decide(sure_defect, 3, {0.6, 0.5, 0.5}, accepted), a::Decision::reject);
  EXPECT_EQ(a::decide(sure_defect, 3, {0.6, 0.9, 0.5}, accepted), a::Decision::review);
  EXPECT_STREQ(a::decision_name(a::Decision::review), "review");
}
