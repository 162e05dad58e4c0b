// BlazeFace: the decoding of its outputs against values worked out by hand, the fetched model on a real
// face labelled by hand, and bad model files.
#include <blazeface.hpp>
#include <detectors.hpp>

#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <vector>

using namespace nfx::test;
using nfx::privacy::FaceFound;

namespace {

fs::path front_model() { return sample("privacy/blazeface/ONNX/face_detection_front_128x128_barracuda.onnx"); }

// Share of `truth` that `box` covers.
float covered(const cv::Rect2f& box, const cv::Rect2f& truth) { return (box & truth).area() / truth.area(); }

}  // namespace

// One anchor of each grid set by hand; every other anchor scores sigmoid(-10).
TEST(BlazeFace, DecodesAnchorsAsWorkedOutByHand) {
  std::vector<float> scores16(512, -10.0f), scores8(384, -10.0f), boxes16(512 * 16, 0.0f), boxes8(384 * 16, 0.0f);
  // 16 x 16 grid, row 3, column 5, second anchor: index (3 * 16 + 5) * 2 + 1 = 107. Anchor centre
  // (5.5 / 16, 3.5 / 16) = (0.34375, 0.21875).
  scores16[107] = 2.0f;
  const float r[16] = {6.4f, -3.2f, 32.0f, 25.6f, 12.8f, 0, 0, 12.8f, 0, 0, 0, 0, 0, 0, -6.4f, 6.4f};
  std::copy(r, r + 16, boxes16.begin() + 107 * 16);
  // 8 x 8 grid, row 7, column 0, sixth anchor: index (7 * 8 + 0) * 6 + 5 = 341, score sigmoid(0) = 0.5;
  // anchor (0.5 / 8, 7.5 / 8) = (0.0625, 0.9375).
  scores8[341] = 0.0f;
  boxes8[341 * 16 + 2] = 12.8f;
  boxes8[341 * 16 + 3] = 12.8f;
  const nfx::privacy::BlazeFaceRaw raw{scores16.data(), scores8.data(), boxes16.data(), boxes8.data()};

  std::vector<FaceFound> faces = nfx::privacy::decode_blazeface(raw, 128.0f, 0.4f);
  ASSERT_EQ(faces.size(), 2u);
  const FaceFound& a = faces[0];
  EXPECT_NEAR(a.score, 0.880797f, 1e-5);  // 1 / (1 + e^-2)
  // centre (0.34375 + 6.4 / 128, 0.21875 - 3.2 / 128) = (0.39375, 0.19375); size (0.25, 0.2)
  EXPECT_NEAR(a.box.x, 0.26875f, 1e-6);
  EXPECT_NEAR(a.box.y, 0.09375f, 1e-6);
  EXPECT_NEAR(a.box.width, 0.25f, 1e-6);
  EXPECT_NEAR(a.box.height, 0.2f, 1e-6);
  EXPECT_NEAR(a.points[0].x, 0.44375f, 1e-6);  // right eye: anchor + (12.8, 0) / 128
  EXPECT_NEAR(a.points[1].y, 0.31875f, 1e-6);  // left eye: anchor + (0, 12.8) / 128
  EXPECT_NEAR(a.points[5].x, 0.29375f, 1e-6);  // left ear: anchor + (-6.4, 6.4) / 128
  EXPECT_NEAR(a.points[5].y, 0.26875f, 1e-6);
  const FaceFound& b = faces[1];
  EXPECT_NEAR(b.score, 0.5f, 1e-6);
  EXPECT_NEAR(b.box.x, 0.0625f - 0.05f, 1e-6);  // size 12.8 / 128 = 0.1 about the anchor
  EXPECT_NEAR(b.box.y, 0.9375f - 0.05f, 1e-6);
  EXPECT_EQ(nfx::privacy::decode_blazeface(raw, 128.0f, 0.6f).size(), 1u) << "0.5 is below a 0.6 threshold";
}

// A face turned 90 degrees (eye line vertical) gets a head box turned with it: taller than wide.
TEST(BlazeFace, TheHeadBoxTurnsWithTheEyeLine) {
  FaceFound upright;
  upright.box = cv::Rect2f(40, 40, 20, 20);
  upright.points = {cv::Point2f(45, 45), cv::Point2f(55, 45), cv::Point2f(50, 50), cv::Point2f(50, 55),
                    cv::Point2f(40, 47), cv::Point2f(60, 47)};
  const cv::Rect2f head = nfx::privacy::head_box(upright);
  EXPECT_GT(head.height, head.width) << "forehead to chin is longer than ear to ear";
  EXPECT_LT(head.y, upright.box.y - 5) << "the forehead above the brows is covered";
  FaceFound turned = upright;  // the same face lying on its side: eyes one above the other
  turned.points = {cv::Point2f(45, 45), cv::Point2f(45, 55), cv::Point2f(50, 50), cv::Point2f(55, 50),
                   cv::Point2f(43, 40), cv::Point2f(43, 60)};
  const cv::Rect2f side = nfx::privacy::head_box(turned);
  EXPECT_NEAR(side.width, head.height, 1e-3);
  EXPECT_NEAR(side.height, head.width, 1e-3);
}

// scikit-image's astronaut (Eileen Collins), labelled by hand on the image: eyes at about (205, 102) and
// (250, 102), mouth (227, 145); the head from hair to chin and ear to ear spans x 152-302, y 15-172.
TEST(BlazeFace, FindsTheAstronautsFaceAndCoversHerHead) {
  const cv::Mat bgr = cv::imread(sample("photos/astronaut.png").string());
  ASSERT_FALSE(bgr.empty());
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  nfx::privacy::BlazeFaceOptions options;
  options.model = front_model().string();
  const std::vector<FaceFound> faces = nfx::privacy::BlazeFace(options).find(rgb);
  ASSERT_FALSE(faces.empty());
  // Found in several squares, every time at the same place; no other face in the photo.
  for (const FaceFound& f : faces) {
    EXPECT_GT(f.score, 0.75f);
    EXPECT_LT(cv::norm(f.points[0] - cv::Point2f(205, 102)), 10) << "right eye at " << f.points[0];
    EXPECT_LT(cv::norm(f.points[1] - cv::Point2f(250, 102)), 10) << "left eye at " << f.points[1];
    EXPECT_LT(cv::norm(f.points[3] - cv::Point2f(227, 145)), 12) << "mouth at " << f.points[3];
    const cv::Rect2f head = nfx::privacy::head_box(f);
    EXPECT_GT(covered(head, cv::Rect2f(152, 15, 150, 157)), 0.97f) << "head box " << head;
    EXPECT_LT(head.area(), 2.0f * 150 * 157) << "and not much more: " << head;
  }
}

TEST(BlazeFace, MissingAndCorruptModelFilesAreNamed) {
  TempDir dir;
  nfx::privacy::BlazeFaceOptions options;
  options.model = (dir.path() / "none.onnx").string();
  try {
    nfx::privacy::make_blazeface_detector(options);
    FAIL() << "a missing model file";
  } catch (const nfx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("none.onnx: ONNX model does not exist"), std::string::npos) << e.what();
  }
  // The real model cut short.
  std::ifstream whole(front_model(), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
  options.model = (dir.path() / "cut.onnx").string();
  std::ofstream(options.model, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 3));
  try {
    nfx::privacy::make_blazeface_detector(options);
    FAIL() << "a truncated model file";
  } catch (const nfx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.onnx: not an ONNX model OpenCV can read"), std::string::npos) << e.what();
  }
  // A FIFO would block OpenCV's read forever; a file over NFX_MAX_MODEL_BYTES is refused unread (issue 33).
  options.model = (dir.path() / "fifo.onnx").string();
  ASSERT_EQ(mkfifo(options.model.c_str(), 0600), 0);
  std::string error = error_of([&] { nfx::privacy::make_blazeface_detector(options); });
  EXPECT_NE(error.find("fifo.onnx: ONNX model is not a regular file"), std::string::npos) << error;
  options.model = front_model().string();
  ASSERT_EQ(setenv("NFX_MAX_MODEL_BYTES", "1000", 1), 0);
  error = error_of([&] { nfx::privacy::make_blazeface_detector(options); });
  unsetenv("NFX_MAX_MODEL_BYTES");
  EXPECT_NE(error.find("more than the 1000 allowed"), std::string::npos) << error;
}

// privacy.detect with faces = "blazeface+hog": both run; BlazeFace's head box covers the astronaut's head.
// A detector name it does not know, and a model file that is not one, are named at their lines.
TEST(BlazeFace, DetectRunsItBesideHogAndNamesBadSettings) {
  auto host = make_host(false);
  auto graph = [&](const std::string& settings) {
    return host->parse_graph(R"(
[nodes.read]
type = "io.read_images"
path = ")" + sample("photos/astronaut.png").string() + R"("
[nodes.detect]
type = "privacy.detect"
in.image = "read.image"
plates = "none"
margin = 1.0
)" + settings + R"(
[nodes.out]
type = "host.output"
in.value = "detect.boxes"
)", "detect.toml");
  };
  std::vector<cv::Rect2f> boxes;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) {
    for (const nfx::privacy::Detection& d : nfx::privacy::read_boxes(*e.value.dl())) boxes.push_back(d.box);
  };
  graph("faces = \"blazeface+hog\"").run(options);
  ASSERT_GE(boxes.size(), 1u);
  float best = 0;
  for (const cv::Rect2f& b : boxes) best = std::max(best, covered(b, cv::Rect2f(152, 15, 150, 157)));
  EXPECT_GT(best, 0.97f);

  const std::string unknown = run_error(graph("faces = \"blazeface+nope\""));
  ASSERT_FALSE(unknown.empty()) << "an unknown face detector";
  EXPECT_NE(unknown.find("unknown detector 'nope'"), std::string::npos) << unknown;
  TempDir dir;
  std::ofstream(dir.path() / "bad.onnx") << "not a model";
  const std::string message =
      run_error(graph("faces = \"blazeface\"\nface_model = \"" + (dir.path() / "bad.onnx").string() + "\""));
  ASSERT_FALSE(message.empty()) << "a model file that is not one";
  EXPECT_NE(message.find("detect.toml:11:"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.onnx: not an ONNX model OpenCV can read"), std::string::npos) << message;
}

// The cameraman (camera.png) looks into his camera, his face turned to the left of the picture: BlazeFace
// scores him 0.92. Mirrored, he scores 0.89, so at a threshold of 0.9 only the flip (which searches the
// mirror image of the mirror image) finds him, at the mirrored place. On the astronaut's frontal face, the
// mirrored search's keypoints keep their names: her right eye is still her right eye.
TEST(BlazeFace, TheFlipFindsAFaceTurnedTheOtherWay) {
  const auto read_rgb = [](const char* name) {
    cv::Mat rgb;
    cv::cvtColor(cv::imread(sample(name).string()), rgb, cv::COLOR_BGR2RGB);
    return rgb;
  };
  const cv::Mat rgb = read_rgb("photos/camera.png");
  cv::Mat mirrored;
  cv::flip(rgb, mirrored, 1);
  nfx::privacy::BlazeFaceOptions options;
  options.model = front_model().string();
  options.score = 0.9f;
  const std::vector<FaceFound> original = nfx::privacy::BlazeFace(options).find(rgb);
  ASSERT_FALSE(original.empty());
  EXPECT_TRUE(nfx::privacy::BlazeFace(options).find(mirrored).empty()) << "the turned face scores under 0.9 mirrored";
  options.flip = true;
  const std::vector<FaceFound> flipped = nfx::privacy::BlazeFace(options).find(mirrored);
  ASSERT_FALSE(flipped.empty());
  const cv::Rect2f& o = original.front().box;
  for (const FaceFound& f : flipped) {
    EXPECT_NEAR(f.box.x, static_cast<float>(rgb.cols) - o.x - o.width, 12.0f) << "box " << f.box << " against " << o;
    EXPECT_NEAR(f.box.y, o.y, 12.0f);
  }

  options.score = 0.75f;
  const std::vector<FaceFound> astronaut = nfx::privacy::BlazeFace(options).find(read_rgb("photos/astronaut.png"));
  ASSERT_FALSE(astronaut.empty());
  for (const FaceFound& f : astronaut) {  // eyes labelled by hand, as above, 45 px apart: names swapped fail
    EXPECT_LT(cv::norm(f.points[0] - cv::Point2f(205, 102)), 15) << "right eye at " << f.points[0];
    EXPECT_LT(cv::norm(f.points[1] - cv::Point2f(250, 102)), 15) << "left eye at " << f.points[1];
  }
}
