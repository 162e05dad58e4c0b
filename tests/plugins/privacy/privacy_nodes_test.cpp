// The privacy nodes in graphs, on the sample photos and the street video: faces found where they are,
// synthetic plates found, no EXIF in the outputs, the frame rate kept, audit sidecars, bad input named.
#include "test_support.hpp"

#include <libexif/exif-data.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <fstream>

using namespace nfx::test;

namespace {

struct Box {
  std::string label;
  float x, y, width, height;
  float cx() const { return x + width / 2; }
  float cy() const { return y + height / 2; }
};

// The boxes of every item from a privacy.sidecar file of the whole run, by item name.
std::map<std::string, std::vector<Box>> read_sidecar(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::map<std::string, std::vector<Box>> items;
  const nlohmann::json json = nlohmann::json::parse(in);
  for (const auto& item : json.at("items")) {
    auto& boxes = items[item.at("item").get<std::string>()];
    for (const auto& b : item.at("boxes")) {
      boxes.push_back({b.at("class"), b.at("x"), b.at("y"), b.at("width"), b.at("height")});
    }
  }
  return items;
}

// GPS tags in a JPEG's EXIF, read with libexif.
int gps_entries(const std::string& path) {
  ExifData* data = exif_data_new_from_file(path.c_str());
  if (data == nullptr) return 0;
  const int n = static_cast<int>(data->ifd[EXIF_IFD_GPS]->count);
  exif_data_unref(data);
  return n;
}

bool has_exif(const std::string& path) {
  ExifData* data = exif_data_new_from_file(path.c_str());
  if (data == nullptr) return false;
  exif_data_unref(data);
  return true;
}

}  // namespace

// The astronaut (512 x 512) and Messi (548 x 342) photos, with the face centres labelled by hand:
// (222, 128) and (240, 110).
TEST(PrivacyNodes, FacesAreFoundWhereTheyAre) {
  auto host = make_host();
  TempDir out;
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_images"
path = ")" + sample("photos").string() + R"("
[nodes.detect]
type = "privacy.detect"
in.image = "read.image"
upsample = 1
plates = "none"
[nodes.audit]
type = "privacy.sidecar"
in.boxes = "detect.boxes"
path = ")" + out / "boxes.json" + R"("
)", "faces.toml");
  graph.run({});
  const auto items = read_sidecar(out / "boxes.json");
  const std::map<std::string, cv::Point2f> centres{{"astronaut.png", {222, 128}}, {"messi5.jpg", {240, 110}}};
  for (const auto& [name, centre] : centres) {
    SCOPED_TRACE(name);
    ASSERT_EQ(items.at(name).size(), 1u);
    const Box& b = items.at(name)[0];
    EXPECT_EQ(b.label, "face");
    EXPECT_NEAR(b.cx(), centre.x, 0.2 * b.width);
    EXPECT_NEAR(b.cy(), centre.y, 0.2 * b.height);
  }
  EXPECT_TRUE(items.at("licenseplate_motion.jpg").empty());  // a car's rear: no face
}

// graphs/anonymize-eval.toml on 12 of its frames (24 real faces and 24 synthetic plates): the detectors
// find them and, once scrubbed, they are covered and not found again.
TEST(PrivacyNodes, EvaluationGraphFindsAndRemovesFacesAndPlates) {
  auto host = make_host();
  TempDir out;
  auto graph = host->load_graph(std::string(NFX_TEST_SOURCE_DIR) + "/graphs/anonymize-eval.toml",
                                {"out=" + out.path().string(), "read.step=60", "read.count=12"});
  nfx::RunOptions options;
  options.threads = 2;
  EXPECT_EQ(graph.run(options).items, 12);
  std::ifstream in(out / "evaluation.json");
  const auto report = nlohmann::json::parse(in);
  for (const std::string name : {"face", "plate"}) {
    SCOPED_TRACE(name);
    const auto& c = report.at("classes").at(name);
    EXPECT_EQ(c.at("true_boxes"), 24);
    EXPECT_GE(c.at("detected").get<int>(), 22);
    EXPECT_GE(c.at("removed").get<int>(), 22);
  }
  EXPECT_EQ(fs::exists(out / "images"), true);
}

// ela_original.jpg is a phone photo whose EXIF holds GPS coordinates; the anonymized copy has no EXIF.
TEST(PrivacyNodes, OutputsCarryNoExif) {
  const std::string photo = sample("photos/ela_original.jpg").string();
  ASSERT_GT(gps_entries(photo), 0) << "the input should hold GPS tags";
  auto host = make_host();
  TempDir out;
  auto graph = host->load_graph(std::string(NFX_TEST_SOURCE_DIR) + "/graphs/anonymize-photos.toml",
                                {"photos=" + photo, "out=" + out.path().string()});
  graph.run({});
  const std::string written = out / "ela_original.jpg";
  ASSERT_TRUE(fs::exists(written));
  EXPECT_FALSE(has_exif(written));
  EXPECT_EQ(gps_entries(written), 0);
}

// The street video through graphs/anonymize-video.toml (first 20 frames): same frame rate and size out,
// and one sidecar entry per frame.
TEST(PrivacyNodes, VideoKeepsTheFrameRateAndRecordsEveryFrame) {
  const std::string video = sample("vtest.avi").string();
  cv::VideoCapture source(video);
  const double fps = source.get(cv::CAP_PROP_FPS);
  ASSERT_GT(fps, 0.0);
  auto host = make_host();
  TempDir out;
  auto graph = host->load_graph(std::string(NFX_TEST_SOURCE_DIR) + "/graphs/anonymize-video.toml",
                                {"out=" + out.path().string(), "read.count=20"});
  nfx::RunOptions options;
  options.threads = 2;
  EXPECT_EQ(graph.run(options).items, 20);
  cv::VideoCapture result(out / "video.avi");
  ASSERT_TRUE(result.isOpened());
  EXPECT_DOUBLE_EQ(result.get(cv::CAP_PROP_FPS), fps);
  EXPECT_EQ(result.get(cv::CAP_PROP_FRAME_COUNT), 20);
  EXPECT_EQ(result.get(cv::CAP_PROP_FRAME_WIDTH), source.get(cv::CAP_PROP_FRAME_WIDTH));
  EXPECT_EQ(read_sidecar(out / "boxes.json").size(), 20u);
}

TEST(PrivacyNodes, AMissingModelFileIsNamedWithItsGraphLine) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_images"
path = ")" + sample("photos/astronaut.png").string() + R"("
[nodes.detect]
type = "privacy.detect"
in.image = "read.image"
plates = "cascade"
plate_cascade = "/nowhere/plates.xml"
)", "missing.toml");
  try {
    graph.run({});
    FAIL() << "the run should fail";
  } catch (const nfx::RunError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("missing.toml:9:"), std::string::npos) << message;
    EXPECT_NE(message.find("/nowhere/plates.xml: no such cascade file"), std::string::npos) << message;
  }
}

// privacy.train_detector on 16 frames with synthetic plates; the detector it writes finds most plates on
// 8 other frames with other plates.
TEST(PrivacyNodes, TrainedPlateDetectorFindsUnseenPlates) {
  auto host = make_host();
  TempDir out;
  auto train = host->load_graph(std::string(NFX_TEST_SOURCE_DIR) + "/graphs/train-plate-detector.toml",
                                {"out=" + out.path().string(), "read.count=16", "read.step=40"});
  nfx::RunOptions options;
  options.threads = 2;
  train.run(options);
  const std::string model = out / "plates-fhog.svm";
  ASSERT_TRUE(fs::exists(model));
  auto evaluate = host->load_graph(std::string(NFX_TEST_SOURCE_DIR) + "/graphs/anonymize-eval.toml",
                                   {"out=" + (out / "eval"), "read.step=90", "read.count=8", "faces.count=0",
                                    "detect.plate_model=" + model, "detect_again.plate_model=" + model});
  evaluate.run(options);
  std::ifstream in(out / "eval/evaluation.json");
  const auto plates = nlohmann::json::parse(in).at("classes").at("plate");
  EXPECT_EQ(plates.at("true_boxes"), 16);
  EXPECT_GE(plates.at("detected").get<int>(), 13);
}
