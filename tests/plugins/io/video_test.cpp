// Video in and out on the sample street video (vtest.avi, 768x576).
#include "test_support.hpp"

#include <opencv2/videoio.hpp>

using namespace nfx::test;

TEST(IoVideo, ReadsFramesAndWritesThemInOrder) {
  auto host = make_host();
  TempDir out;
  const std::string video = (out.path() / "clip.avi").string();
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_video"
path = ")" + sample("vtest.avi").string() + R"("
count = 12
step = 2
[nodes.small]
type = "io.resize"
in.image = "read.image"
width = 192
[nodes.write]
type = "io.write_video"
in.image = "small.image"
path = ")" + video + R"("
codec = "MJPG"
fps = 10
)", "video.toml");
  nfx::RunOptions options;
  options.threads = 2;
  EXPECT_EQ(graph.run(options).items, 12);
  cv::VideoCapture check(video);
  ASSERT_TRUE(check.isOpened());
  EXPECT_EQ(static_cast<int>(check.get(cv::CAP_PROP_FRAME_COUNT)), 12);
  EXPECT_EQ(static_cast<int>(check.get(cv::CAP_PROP_FRAME_WIDTH)), 192);
  EXPECT_EQ(static_cast<int>(check.get(cv::CAP_PROP_FRAME_HEIGHT)), 144);
}

TEST(IoVideo, FailedRunLeavesNoVideoFile) {
  auto host = make_host();
  TempDir out;
  const std::string video = (out.path() / "never.avi").string();
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_video"
path = ")" + sample("vtest.avi").string() + R"("
count = 10
[nodes.fail]
type = "test.fail"
in.value = "read.image"
fail_at = 6
[nodes.write]
type = "io.write_video"
in.image = "fail.value"
path = ")" + video + R"("
codec = "MJPG"
)", "video_fail.toml");
  EXPECT_THROW(graph.run({}), nfx::RunError);
  EXPECT_TRUE(fs::is_empty(out.path()));  // neither the video nor its temporary file
}
