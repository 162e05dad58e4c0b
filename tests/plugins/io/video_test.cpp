// Video in and out on the sample street video (vtest.avi, 768x576).
#include "test_support.hpp"

#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

// OpenCV writes frames only: with audio_from, the source's audio goes back in through ffmpeg; without
// ffmpeg on PATH the video is still written, frames only, and the log says why.
TEST(IoVideo, TheSourcesAudioIsKeptWhereFfmpegIsInstalled) {
  if (shell("command -v ffmpeg && command -v ffprobe").code != 0) GTEST_SKIP() << "ffmpeg is not installed";
  TempDir dir;
  const fs::path source = dir.path() / "talk.mp4", out = dir.path() / "out.mp4";
  const ShellResult made = shell("ffmpeg -v error -nostdin -f lavfi -i testsrc=size=64x48:rate=10 -f lavfi -i "
                                 "sine=frequency=440 -t 2 -c:v mpeg4 -c:a aac " + source.string());
  ASSERT_EQ(made.code, 0) << made.output;
  std::vector<std::string> log;
  nfx::HostOptions options;
  options.log = [&](nfx_log_level, const std::string&, const std::string& message) { log.push_back(message); };
  auto host = make_host(false, options);
  const std::string graph = R"(
[nodes.read]
type = "io.read_video"
path = ")" + source.string() + R"("
[nodes.write]
type = "io.write_video"
in.image = "read.image"
in.fps = "read.fps"
path = ")" + out.string() + R"("
overwrite = true
audio_from = ")" + source.string() + R"("
)";
  host->parse_graph(graph, "audio.toml").run({});
  const std::string probe = "ffprobe -v error -show_entries stream=codec_type -of csv=p=0 " + out.string();
  EXPECT_EQ(shell(probe).output, "video\naudio\n");
  cv::VideoCapture check(out.string());
  EXPECT_EQ(static_cast<int>(check.get(cv::CAP_PROP_FRAME_COUNT)), 20);

  const std::string path = std::getenv("PATH");
  setenv("PATH", "/nonexistent", 1);
  host->parse_graph(graph, "audio.toml").run({});
  setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(shell(probe).output, "video\n") << "frames only";
  const bool warned = std::any_of(log.begin(), log.end(), [](const std::string& m) {
    return m.find("is not kept: ffmpeg is not installed") != std::string::npos;
  });
  EXPECT_TRUE(warned);
}
