// Walkers in street video: the people detector turns each one into the box of their head, on frame 300 of
// the sample vtest.avi, where the heads were labelled by hand.
#include <boxes.hpp>
#include <detectors.hpp>

#include "test_support.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <map>

using namespace nfx::test;

namespace {

// Frame 300 of vtest.avi: six people on the path, heads about 10 px across, centres read off the frame by
// hand.
const std::vector<cv::Point2f> kHeads{{201, 166}, {252, 167}, {310, 167}, {329, 222}, {596, 168}, {631, 168}};

nfx::privacy::Frame frame_300() {
  cv::VideoCapture video(sample("vtest.avi").string());
  video.set(cv::CAP_PROP_POS_FRAMES, 300);
  cv::Mat bgr;
  video.read(bgr);
  nfx::privacy::Frame frame;
  if (!bgr.empty()) cv::cvtColor(bgr, frame.gray, cv::COLOR_BGR2GRAY);
  return frame;
}

}  // namespace

TEST(PrivacyPeople, EveryWalkersHeadIsInAHeadBox) {
  const nfx::privacy::Frame frame = frame_300();
  ASSERT_FALSE(frame.gray.empty());
  const nfx::privacy::Detections heads = nfx::privacy::make_people_detector({})->detect(frame);
  for (const cv::Point2f& head : kHeads) {
    const bool covered = std::any_of(heads.begin(), heads.end(), [&](const nfx::privacy::Detection& d) {
      return d.box.contains(head) && d.label == nfx::privacy::face;
    });
    EXPECT_TRUE(covered) << "the head at " << head;
  }
  for (const nfx::privacy::Detection& d : heads) EXPECT_LT(d.box.width, 40) << "a head, not a person: " << d.box;
  EXPECT_LE(heads.size(), kHeads.size() + 3) << "few boxes where nobody is";
}

// The head box of a person box of the detector's 64 x 128 window: 0.17 of the way down, centred.
TEST(PrivacyPeople, TheHeadSitsNearTheTopOfTheBox) {
  const cv::Rect2f head = nfx::privacy::head_of_person(cv::Rect2f(100, 50, 50, 100));
  EXPECT_NEAR(head.x + head.width / 2, 125, 1e-4);
  EXPECT_NEAR(head.y + head.height / 2, 67, 1e-4);
  EXPECT_NEAR(head.width, 22, 1e-4);
}

// detect.every = 2 detects on items 0, 2, 4 ... and gives no boxes on the others (privacy.hold carries
// the tracks through them).
TEST(PrivacyPeople, EveryNthFrameIsSearched) {
  TempDir dir;
  for (const char* name : {"a.png", "b.png", "c.png"}) fs::copy_file(sample("photos/astronaut.png"), dir.path() / name);
  auto host = make_host(false);
  nfx::Graph graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_images"
path = ")" + dir.path().string() + R"("
[nodes.detect]
type = "privacy.detect"
in.image = "read.image"
plates = "none"
every = 2
[nodes.out]
type = "host.output"
in.value = "detect.boxes"
)", "every.toml");
  std::map<int64_t, size_t> boxes;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) { boxes[e.item] = nfx::privacy::read_boxes(*e.value.dl()).size(); };
  graph.run(options);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[0], 1u);
  EXPECT_EQ(boxes[1], 0u);
  EXPECT_EQ(boxes[2], 1u);
}
