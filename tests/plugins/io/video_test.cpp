// Video in and out on the sample street video (vtest.avi, 768x576).
#include "test_support.hpp"

#include <opencv2/videoio.hpp>

#include <fstream>
#include <iterator>

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

namespace {

// A 10-frame MJPG video whose frame `bad` has its JPEG data overwritten.
void write_video_with_corrupt_frame(const std::string& path, int bad) {
  const std::string clean = path + ".clean.avi";
  {
    cv::VideoWriter writer(clean, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {160, 120});
    for (int i = 0; i < 10; ++i) writer.write(cv::Mat(120, 160, CV_8UC3, cv::Scalar(i * 20, 100, 200 - i * 10)));
  }
  std::ifstream in(clean, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Frames are RIFF chunks tagged "00dc" in the "movi" list; overwrite the start of the bad one's data.
  int seen = 0;
  const std::string all(bytes.begin(), bytes.end());
  for (size_t i = all.find("movi"); i + 400 < bytes.size(); ++i) {
    if (std::string(&bytes[i], 4) == "00dc" && seen++ == bad) {
      for (size_t k = i + 10; k < i + 300; ++k) bytes[k] = static_cast<char>(k * 7);  // a frame is ~330 bytes
      break;
    }
  }
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

// A corrupt frame fails its item, naming it; with on_error = "skip" the other nine frames go through.
TEST(IoVideo, CorruptFrameIsNamedOrSkipped) {
  TempDir dir;
  const std::string video = dir / "corrupt.avi";
  write_video_with_corrupt_frame(video, 3);
  auto host = make_host();
  const std::string graph_text = R"(
[nodes.read]
type = "io.read_video"
path = ")" + video + R"("
ON_ERROR
[nodes.write]
type = "io.write_video"
in.image = "read.image"
in.fps = "read.fps"
path = ")" + (dir / "out.avi") + R"("
codec = "MJPG"
overwrite = true
)";
  auto with = [&](const std::string& on_error) {
    std::string text = graph_text;
    text.replace(text.find("ON_ERROR"), 8, on_error);
    return host->parse_graph(text, "corrupt-video.toml");
  };
  try {
    with("").run({});
    FAIL() << "the corrupt frame should fail the run";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(e.item_name(), "corrupt/frame_000003");
    EXPECT_NE(std::string(e.what()).find("frame 3 cannot be decoded"), std::string::npos) << e.what();
  }
  nfx::RunOptions options;
  options.threads = 2;
  const nfx::RunStats stats = with("on_error = \"skip\"").run(options);
  EXPECT_EQ(stats.items, 9);
  EXPECT_EQ(stats.skipped, 1);
  cv::VideoCapture check(dir / "out.avi");
  EXPECT_EQ(static_cast<int>(check.get(cv::CAP_PROP_FRAME_COUNT)), 9);
}

// A video whose container declares frames larger than max_pixels is refused before a frame is decoded
// (issue 13): the 160 x 120 test video under a limit of 160 * 120 - 1.
TEST(IoVideo, FramesLargerThanMaxPixelsAreRefusedBeforeDecoding) {
  auto host = make_host();
  TempDir dir;
  const std::string video = (dir / "small.avi");
  {
    cv::VideoWriter writer(video, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {160, 120});
    for (int i = 0; i < 3; ++i) writer.write(cv::Mat(120, 160, CV_8UC3, cv::Scalar(i, 2 * i, 3 * i)));
  }
  auto graph = [&](int64_t max_pixels) {
    return "[nodes.read]\ntype = \"io.read_video\"\npath = \"" + video + "\"\nmax_pixels = " +
           std::to_string(max_pixels) + "\n";
  };
  try {
    host->parse_graph(graph(160 * 120 - 1), "v.toml").run({});
    ADD_FAILURE() << "read";
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("declares frames of 160 x 120 pixels, more than max_pixels = 19199"),
              std::string::npos) << e.what();
  }
  EXPECT_EQ(host->parse_graph(graph(160 * 120), "v.toml").run({}).items, 3);
}
