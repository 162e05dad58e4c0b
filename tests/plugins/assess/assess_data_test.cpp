// The assess plugin's data and decisions without LibTorch (issue 18): class folders and CSVs with errors
// that name the class or the line, loading with a corrupt image skipped, IDX files (Fashion-MNIST's), stratified splits and induced
// imbalance with counts worked out by hand, class weights, oversampling and SMOTE, temperature scaling
// recovering a known overconfidence, the calibration error of a hand-worked example, and the grading
// decision.
#include "model/calibration.hpp"
#include "model/class_folders_writer.hpp"
#include "model/idx_files.hpp"
#include "model/image_loading.hpp"
#include "model/labelled_folder.hpp"
#include "model/rebalancing.hpp"
#include "model/splits.hpp"
#include "model/sweet_crops.hpp"
#include "test_support.hpp"

#include <opencv2/core.hpp>
#include <zlib.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>

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

TEST(Rebalancing, ClassWeightsOversamplingAndSmoteByHand) {
  const std::vector<double> w = a::balanced_class_weights({90, 10, 0});
  EXPECT_NEAR(w[0], 100.0 / (3 * 90), 1e-12);
  EXPECT_NEAR(w[1], 100.0 / (3 * 10), 1e-12);
  EXPECT_EQ(w[2], 0.0);

  // 6 items of class 0, 2 of class 1, 1 of class 2: every class drawn up to 6, only from itself.
  const std::vector<int> labels = {0, 1, 0, 0, 2, 0, 1, 0, 0};
  const std::vector<int64_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<int64_t> drawn = a::oversample(all, labels, 3, 4);
  ASSERT_EQ(drawn.size(), 18u);
  EXPECT_EQ(std::vector<int64_t>(drawn.begin(), drawn.begin() + 9), all);  // the originals first, once each
  std::vector<int> per_class(3, 0);
  for (int64_t i : drawn) ++per_class[labels[i]];
  EXPECT_EQ(per_class, (std::vector<int>{6, 6, 6}));

  // SMOTE with one neighbour: every new point lies on the segment from a member to its nearest member.
  const std::vector<float> points = {0, 0, 10, 0, 0, 10, 100, 100, 50, 50};
  const std::vector<int> point_labels = {1, 1, 1, 1, 0};
  const a::Synthetic made = a::smote(points, 2, point_labels, {0, 40}, 1, 7);
  ASSERT_EQ(made.labels.size(), 40u);
  const auto d2 = [&](int i, int j) {
    const double dx = points[2 * i] - points[2 * j], dy = points[2 * i + 1] - points[2 * j + 1];
    return dx * dx + dy * dy;
  };
  for (size_t s = 0; s < made.labels.size(); ++s) {
    EXPECT_EQ(made.labels[s], 1);
    const double px = made.features[2 * s], py = made.features[2 * s + 1];
    bool on_a_segment = false;
    for (int m = 0; m < 4; ++m) {
      double nearest = 1e18;
      for (int o = 0; o < 4; ++o) {
        if (o != m) nearest = std::min(nearest, d2(m, o));
      }
      for (int o = 0; o < 4; ++o) {
        if (o == m || d2(m, o) != nearest) continue;
        const double ax = points[2 * o] - points[2 * m], ay = points[2 * o + 1] - points[2 * m + 1];
        const double u = (ax != 0 ? (px - points[2 * m]) / ax : (py - points[2 * m + 1]) / ay);
        const bool fits = u >= 0 && u < 1 && std::abs(points[2 * m] + u * ax - px) < 1e-3 && std::abs(points[2 * m + 1] + u * ay - py) < 1e-3;
        on_a_segment = on_a_segment || fits;
      }
    }
    EXPECT_TRUE(on_a_segment) << px << "," << py;
  }
}

TEST(ImageLoading, ImagesAreSqueezedToTheInputAndACorruptOneIsSkipped) {
  TempDir dir;
  fs::create_directories(dir / "good");
  fs::create_directories(dir / "defect");
  cv::imwrite(dir / "good/red.png", cv::Mat(6, 10, CV_8UC3, cv::Scalar(0, 0, 255)));  // BGR
  cv::imwrite(dir / "defect/gray.png", cv::Mat(30, 20, CV_8UC3, cv::Scalar(90, 90, 90)));
  std::ofstream(dir / "defect/broken.png") << "not a png";
  const a::LabelledSet set = a::scan_class_folders(dir.path().string());
  const a::LoadedImages images = a::load_images(set, {0, 1, 2}, 8, 3);
  ASSERT_EQ(images.count(), 2);
  ASSERT_EQ(images.skipped.size(), 1u);
  EXPECT_NE(images.skipped[0].find("broken.png: cannot decode"), std::string::npos) << images.skipped[0];
  EXPECT_EQ(images.pixels.size(), 2u * 3 * 8 * 8);
  // files sorted: defect/broken, defect/gray, good/red; the gray one first, then red in RGB planes.
  EXPECT_EQ(images.labels, (std::vector<int>{0, 1}));
  EXPECT_EQ(images.files, (std::vector<int64_t>{1, 2}));
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(images.pixels[i], 90);
    EXPECT_EQ(images.pixels[192 + i], 255);       // red plane of the red image
    EXPECT_EQ(images.pixels[192 + 64 + i], 0);    // green
  }
  EXPECT_THROW(a::load_images(set, {0}, 8, 2), nfx::Error);
}

namespace {

// An IDX file written here byte by byte, gzip'd: `header` big-endian words, then `body`.
void write_idx(const std::string& path, const std::vector<uint32_t>& header, const std::vector<uint8_t>& body) {
  std::string bytes;
  for (uint32_t w : header) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((w >> shift) & 0xff);
  }
  bytes.append(body.begin(), body.end());
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

}  // namespace

TEST(IdxFiles, ImagesAndLabelsReadBackAndBadFilesAreNamed) {
  TempDir dir;
  std::vector<uint8_t> pixels(2 * 3 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(10 * i);
  write_idx(dir / "images.gz", {0x803, 2, 3, 4}, pixels);
  write_idx(dir / "labels.gz", {0x801, 2}, {7, 1});
  const a::IdxImages images = a::read_idx_images(dir / "images.gz");
  EXPECT_EQ(images.count, 2);
  EXPECT_EQ(images.rows, 3);
  EXPECT_EQ(images.columns, 4);
  EXPECT_EQ(images.pixels, pixels);
  EXPECT_EQ(a::read_idx_labels(dir / "labels.gz"), (std::vector<uint8_t>{7, 1}));

  write_idx(dir / "short.gz", {0x803, 2, 3, 4}, std::vector<uint8_t>(pixels.begin(), pixels.begin() + 20));
  const std::string short_file = error_of([&] { a::read_idx_images(dir / "short.gz"); });
  EXPECT_NE(short_file.find("short.gz: truncated or corrupt (ends inside the pixels)"), std::string::npos) << short_file;
  const std::string labels_as_images = error_of([&] { a::read_idx_images(dir / "labels.gz"); });
  EXPECT_NE(labels_as_images.find("labels.gz: not IDX unsigned-byte images (magic number 2049"), std::string::npos) << labels_as_images;
  write_idx(dir / "huge.gz", {0x803, 100000, 100000, 100000}, {});
  EXPECT_THROW(a::read_idx_images(dir / "huge.gz"), nfx::Error);
  EXPECT_THROW(a::read_idx_labels(dir / "none.gz"), nfx::Error);
}

// The real Fashion-MNIST test set: 10,000 images of 28 x 28, 1,000 of each of the 10 classes.
TEST(IdxFiles, FashionMnistTestSetHasItsDocumentedShape) {
  const a::IdxImages images = a::read_idx_images(sample("fashion-mnist/t10k-images-idx3-ubyte.gz").string());
  const std::vector<uint8_t> labels = a::read_idx_labels(sample("fashion-mnist/t10k-labels-idx1-ubyte.gz").string());
  EXPECT_EQ(images.count, 10000);
  EXPECT_EQ(images.rows, 28);
  EXPECT_EQ(images.columns, 28);
  ASSERT_EQ(labels.size(), 10000u);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : labels) ++per_class.at(l);
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
}

// Fashion-MNIST's first test images written out as class folders and read back by the class-folder reader:
// the same classes, counts and pixels.
TEST(ClassFolders, IdxImagesWrittenOutReadBackAsTheyWere) {
  TempDir dir;
  const a::IdxImages images = a::read_idx_images(sample("fashion-mnist/t10k-images-idx3-ubyte.gz").string());
  const std::vector<uint8_t> labels = a::read_idx_labels(sample("fashion-mnist/t10k-labels-idx1-ubyte.gz").string());
  const std::vector<std::string> names = {"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"};
  std::vector<int64_t> first;
  for (int64_t i = 0; i < 200; ++i) first.push_back(i);
  EXPECT_EQ(a::write_class_folders(images.pixels, 28, 28, labels, names, first, dir / "out"), 200);
  const a::LabelledSet set = a::scan_class_folders(dir / "out");
  ASSERT_EQ(set.classes.size(), 10u);
  std::vector<int64_t> expected(10, 0);
  for (int64_t i : first) ++expected[labels[i]];
  // The reader sorts class names; map each back to its index in `names`.
  const std::vector<int64_t> counts = a::class_counts(set);
  for (size_t c = 0; c < set.classes.size(); ++c) {
    const size_t original = std::find(names.begin(), names.end(), set.classes[c]) - names.begin();
    EXPECT_EQ(counts[c], expected[original]) << set.classes[c];
  }
  const a::LoadedImages loaded = a::load_images(set, {0}, 28, 1);
  const std::string file = fs::path(set.files[0].path).stem().string();
  const int64_t index = std::stoll(file);
  EXPECT_TRUE(std::equal(loaded.pixels.begin(), loaded.pixels.end(), images.pixels.begin() + index * 784));
  EXPECT_THROW(a::write_class_folders(images.pixels, 28, 28, labels, {"only"}, first, dir / "bad"), nfx::Error);
}

// Predictions of class 0 at confidences 0.99 (right), 0.95 (right), 0.9 (wrong), 0.8 (right), 0.7 (wrong):
// the errors among those at or above each are 0/1, 0/2, 1/3, 1/4, 2/5, so at most 25% wrong allows 0.8 and
// at most 10% allows 0.95. Class 1's only prediction is wrong, class 2 is never predicted: both send
// everything to review, even an item of confidence exactly 1.
TEST(Calibration, ReviewThresholdsPassTheMostItemsWithinTheError) {
  const std::vector<std::pair<double, int>> class0 = {{0.99, 0}, {0.95, 0}, {0.9, 2}, {0.8, 0}, {0.7, 1}};
  std::vector<double> p;
  std::vector<int> labels;
  for (const auto& [confidence, truth] : class0) {
    p.insert(p.end(), {confidence, (1 - confidence) / 2, (1 - confidence) / 2});
    labels.push_back(truth);
  }
  p.insert(p.end(), {0.1, 0.8, 0.1});
  labels.push_back(0);
  const std::vector<double> quarter = a::review_thresholds(p, 3, labels, 0.25);
  EXPECT_EQ(quarter, (std::vector<double>{0.8, a::kReviewAll, a::kReviewAll}));
  const double certain_of_1[] = {0.0, 1.0, 0.0}, certain_of_0[] = {1.0, 0.0, 0.0};
  EXPECT_EQ(a::decide(certain_of_1, 3, quarter, {true, true, true}), a::Decision::review);
  EXPECT_EQ(a::decide(certain_of_0, 3, quarter, {false, true, true}), a::Decision::reject);
  EXPECT_EQ(a::review_thresholds(p, 3, labels, 0.1)[0], 0.95);
  EXPECT_EQ(a::review_thresholds(p, 3, labels, 0.5)[0], 0.7);

  // One global threshold: at 0, all 6 decided, 3 wrong; at 0.85, the 0.99, 0.95 and 0.9 ones (one
  // wrong), half reviewed; at 0.96 only the 0.99 one.
  const std::vector<a::ReviewPoint> curve = a::review_curve(p, 3, labels, {0.0, 0.85, 0.96});
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_DOUBLE_EQ(curve[0].review, 0.0);
  EXPECT_DOUBLE_EQ(curve[0].error, 0.5);
  EXPECT_DOUBLE_EQ(curve[1].review, 0.5);
  EXPECT_DOUBLE_EQ(curve[1].error, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(curve[2].review, 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(curve[2].error, 0.0);
}

// smarties.png by eye: 4 red, 3 blue, 3 green (one cut by the bottom edge), 2 orange, 2 brown (one cut).
TEST(SweetCrops, TheSweetsOfSmartiesAreFoundAndLabelledByColour) {
  const a::SweetSet set = a::cut_sweets(nfx::test::sample("sr/train/smarties.png").string(), 1, 6);
  EXPECT_EQ(set.colours, (std::vector<std::string>{"blue", "brown", "green", "orange", "red"}));
  EXPECT_EQ(set.sweets, 14);
  std::map<int, std::set<int>> sweets_of;
  std::set<int> train, test;
  for (const a::SweetCrop& crop : set.crops) {
    sweets_of[crop.colour].insert(crop.sweet);
    (crop.train ? train : test).insert(crop.sweet);
    EXPECT_EQ(crop.image.size(), cv::Size(32, 32));
    EXPECT_EQ(crop.image.type(), CV_8UC3);
  }
  const std::vector<size_t> expected = {3, 2, 3, 2, 4};
  for (int c = 0; c < 5; ++c) EXPECT_EQ(sweets_of[c].size(), expected[static_cast<size_t>(c)]) << set.colours[static_cast<size_t>(c)];
  EXPECT_EQ(set.crops.size(), 14u * 6u);
  for (int s : train) EXPECT_EQ(test.count(s), 0u) << "sweet " << s << " is in both splits";
  EXPECT_THROW(a::cut_sweets(nfx::test::sample("digits.png").string() + ".missing", 1), nfx::Error);
}
