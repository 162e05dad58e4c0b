// assess.sample_data, assess.train, assess.classify and assess.eval as graph nodes on OpenCV's digits
// (issue 18): the folders are written as said, a GAN-augmented model trains and writes what it says, the
// evaluation's confusion matrix and metrics agree with one worked out here from the classify node's CSV
// report, and bad input (a missing folder, an unknown class, a truncated model) is an error that names it.
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace nfx::test;
namespace fs = std::filesystem;

namespace {

void run(nfx::Host& host, const std::string& toml) { host.parse_graph(toml, "assess.toml").run(); }

std::string error_of_run(nfx::Host& host, const std::string& toml) { return graph_error(host, toml, "assess.toml"); }

std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, ',');) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

int64_t files_under(const fs::path& folder) {
  int64_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) n += entry.is_regular_file() ? 1 : 0;
  return n;
}

std::string digits_graph(const std::string& to) {
  return "[nodes.data]\ntype = \"assess.sample_data\"\ndataset = \"digits\"\nfrom = \"" + sample("digits.png").string() + "\"\nto = \"" + to +
         "\"\nkeep = \"8=0.05\"\ntrain_per_class = 60\ntest_per_class = 20\n";
}

std::string train_graph(const std::string& data, const std::string& out, const std::string& extra = "") {
  return "[nodes.train]\ntype = \"assess.train\"\ndata = \"" + data + "\"\nout = \"" + out +
         "\"\nsize = 20\nvalidation = 0.2\ntest = 0.2\nminutes = 0\nepochs = 15\nbatch = 32\ngan_minutes = 0.1\nreject = \"8\"\n" + extra;
}

}  // namespace

TEST(AssessNodes, TrainClassifyAndEvalAgreeOnTheDigits) {
  TempDir dir;
  auto host = make_host(false);
  run(*host, digits_graph(dir / "digits"));
  // 60 of each digit but the 8s, kept at 5% (3); 20 of each for the test.
  EXPECT_EQ(files_under(fs::path(dir / "digits") / "train"), 9 * 60 + 3);
  EXPECT_EQ(files_under(fs::path(dir / "digits") / "train" / "8"), 3);
  EXPECT_EQ(files_under(fs::path(dir / "digits") / "test"), 200);

  run(*host, train_graph(dir / "digits/train", dir / "model"));
  for (const char* file : {"grader.pt", "best.pt", "curve.csv", "gan/samples.png", "gan/curve.csv", "train.csv", "validation.csv", "test.csv"}) {
    EXPECT_TRUE(fs::exists(fs::path(dir / "model") / file)) << file;
  }
  // The splits list every training image once: 20% to validation and 20% to test of each class (the 3
  // eights: one each).
  EXPECT_EQ(csv_rows(dir / "model/train.csv").size() + csv_rows(dir / "model/validation.csv").size() +
                csv_rows(dir / "model/test.csv").size() - 3,
            9u * 60u + 3u);

  run(*host, "[nodes.read]\ntype = \"io.read_images\"\npath = \"" + (dir / "digits/test") + "\"\nrecursive = true\n"
             "[nodes.grade]\ntype = \"assess.classify\"\nin.image = \"read.image\"\nmodel = \"" + (dir / "model/grader.pt") +
             "\"\nreport = \"" + (dir / "grades.csv") + "\"\n");
  // Apart: a graph's items end with its first source to end.
  run(*host, "[nodes.eval]\ntype = \"assess.eval\"\nmodel = \"" + (dir / "model/grader.pt") + "\"\ndata = \"" + (dir / "digits/test") +
             "\"\nreport = \"" + (dir / "eval.json") + "\"\nconfusion = \"" + (dir / "confusion.png") + "\"\nreview_curve = \"" +
             (dir / "review.png") + "\"\n");
  EXPECT_TRUE(fs::exists(dir / "confusion.png"));
  EXPECT_TRUE(fs::exists(dir / "review.png"));

  // The confusion matrix and metrics worked out here from the classify report (true class: the folder).
  const auto rows = csv_rows(dir / "grades.csv");
  ASSERT_EQ(rows.size(), 201u);
  EXPECT_EQ(rows[0][0], "file");
  std::vector<std::vector<int64_t>> confusion(10, std::vector<int64_t>(10, 0));
  int64_t reviewed = 0, wrong_decided = 0, rejected_eights = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_EQ(r.size(), 14u);
    const int truth = fs::path(r[0]).parent_path().filename().string()[0] - '0', predicted = std::stoi(r[1]);
    ++confusion[static_cast<size_t>(truth)][static_cast<size_t>(predicted)];
    double sum = 0;
    for (size_t c = 4; c < 14; ++c) sum += std::stod(r[c]);
    EXPECT_NEAR(sum, 1.0, 1e-3);
    EXPECT_NEAR(std::stod(r[2]), std::stod(r[4 + static_cast<size_t>(predicted)]), 1e-4) << "confidence is the top probability";
    EXPECT_TRUE(r[3] == "accept" || r[3] == "reject" || r[3] == "review") << r[3];
    if (r[3] == "review") ++reviewed;
    if (r[3] != "review" && predicted != truth) ++wrong_decided;
    if (r[3] == "reject") {
      EXPECT_EQ(predicted, 8) << "only the 8s are rejected";
      ++rejected_eights;
    }
  }
  std::ifstream json_file(dir / "eval.json");
  const nlohmann::json report = nlohmann::json::parse(json_file);
  EXPECT_EQ(report["items"].get<int64_t>(), 200);
  double recall_sum = 0;
  int64_t right = 0;
  for (size_t t = 0; t < 10; ++t) {
    EXPECT_EQ(report["confusion"][t].get<std::vector<int64_t>>(), confusion[t]) << "true class " << t;
    right += confusion[t][t];
    recall_sum += static_cast<double>(confusion[t][t]) / 20.0;
  }
  EXPECT_NEAR(report["accuracy"].get<double>(), static_cast<double>(right) / 200.0, 1e-12);
  EXPECT_NEAR(report["balanced_accuracy"].get<double>(), recall_sum / 10.0, 1e-12);
  EXPECT_NEAR(report["review_share"].get<double>(), static_cast<double>(reviewed) / 200.0, 1e-12);
  if (reviewed < 200) {
    EXPECT_NEAR(report["error_decided"].get<double>(), static_cast<double>(wrong_decided) / (200.0 - static_cast<double>(reviewed)), 1e-12);
  }
  // 15 short epochs on 60 digits a class: well above chance (0.1), if far from a trained model.
  EXPECT_GT(report["balanced_accuracy"].get<double>(), 0.5);
}

TEST(AssessNodes, BadInputIsAnErrorThatNamesIt) {
  TempDir dir;
  auto host = make_host(false);
  EXPECT_NE(error_of_run(*host, train_graph(dir / "nowhere", dir / "model")).find(dir / "nowhere"), std::string::npos);
  run(*host, digits_graph(dir / "digits"));
  const std::string unknown = error_of_run(*host, train_graph(dir / "digits/train", dir / "model", "keep = \"nine=0.1\"\n"));
  EXPECT_NE(unknown.find("nine"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("assess.toml:13:"), std::string::npos) << "the keep line: " << unknown;
  // A folder this node did not write is not overwritten.
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine/precious.txt") << "keep me";
  EXPECT_NE(error_of_run(*host, digits_graph(dir / "mine")).find("not written by assess.sample_data"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "mine/precious.txt"));
  // A truncated model file.
  std::ofstream(dir / "grader.pt") << "PK\x03\x04 not a whole archive";
  const std::string truncated = error_of_run(*host, "[nodes.eval]\ntype = \"assess.eval\"\nmodel = \"" + (dir / "grader.pt") + "\"\n");
  EXPECT_NE(truncated.find(dir / "grader.pt"), std::string::npos) << truncated;
}
