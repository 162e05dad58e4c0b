// io.tile and io.untile on a real photo: tile contents equal the matching crops, and overlapping tiles put
// back together give the original image.
#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace nfx::test;

namespace {

struct TileRun {
  std::vector<int64_t> shape;
  std::vector<float> tiles;
  cv::Mat image;  // the io.untile result, RGB
};

TileRun tile_and_untile(nfx::Host& host, const std::string& layout) {
  auto graph = host.parse_graph(R"(
[nodes.read]
type = "io.read_image"
path = ")" + sample("images/astronaut.png").string() + R"("
[nodes.tile]
type = "io.tile"
in.image = "read.image"
)" + layout + R"(
[nodes.untile]
type = "io.untile"
in.tiles = "tile.tiles"
in.reference = "read.image"
)" + layout + R"(
[nodes.tiles]
type = "host.output"
in.value = "tile.tiles"
[nodes.image]
type = "host.output"
in.value = "untile.image"
)", "tile.toml");
  TileRun run;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) {
    const DLTensor* t = e.value.dl();
    if (e.node == "tiles") {
      run.shape.assign(t->shape, t->shape + t->ndim);
      const float* data = static_cast<const float*>(t->data);
      run.tiles.assign(data, data + t->shape[0] * t->shape[1] * t->shape[2] * t->shape[3]);
    } else {
      cv::Mat view(static_cast<int>(t->shape[0]), static_cast<int>(t->shape[1]), CV_8UC3, t->data);
      run.image = view.clone();
    }
  };
  graph.run(options);
  return run;
}

// The tile at (y0, x0) cut straight from the decoded file, in the tensor's channel order (RGB), times the
// default scale (the float nearest 1/255).
std::vector<float> crop_of(const cv::Mat& bgr, int y0, int x0, int size) {
  const float scale = static_cast<float>(1.0 / 255.0);
  std::vector<float> out;
  for (int ch : {2, 1, 0}) {
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) out.push_back(bgr.at<cv::Vec3b>(y0 + y, x0 + x)[ch] * scale);
    }
  }
  return out;
}

}  // namespace

TEST(IoTile, OverlappingTilesMatchCropsAndReassembleExactly) {
  auto host = make_host();
  const cv::Mat bgr = cv::imread(sample("images/astronaut.png").string());  // 512 x 512
  ASSERT_EQ(bgr.cols, 512);
  // size 100, stride 80: origins 0, 80, ..., 400 and a last one flush with the edge at 412.
  TileRun run = tile_and_untile(*host, "size = 100\nstride = 80\n");
  ASSERT_EQ(run.shape, (std::vector<int64_t>{49, 3, 100, 100}));
  const size_t per_tile = 3 * 100 * 100;
  const std::vector<std::pair<int, int>> checks = {{0, 0}, {0, 1}, {1, 0}, {6, 6}, {3, 6}};
  for (auto [row, col] : checks) {
    const int y0 = row == 6 ? 412 : row * 80, x0 = col == 6 ? 412 : col * 80;
    std::vector<float> expected = crop_of(bgr, y0, x0, 100);
    std::vector<float> got(run.tiles.begin() + (row * 7 + col) * per_tile,
                           run.tiles.begin() + (row * 7 + col + 1) * per_tile);
    EXPECT_EQ(got, expected) << "tile row " << row << ", column " << col;
  }
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  EXPECT_EQ(cv::norm(run.image, rgb, cv::NORM_INF), 0.0);
}

TEST(IoTile, DropLeavesTheUncoveredBorderBlack) {
  auto host = make_host();
  TileRun run = tile_and_untile(*host, "size = 96\nedge = \"drop\"\n");
  ASSERT_EQ(run.shape, (std::vector<int64_t>{25, 3, 96, 96}));  // 5 x 5 tiles cover 480 of 512 pixels
  const cv::Mat bgr = cv::imread(sample("images/astronaut.png").string());
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  EXPECT_EQ(cv::norm(run.image(cv::Rect(0, 0, 480, 480)), rgb(cv::Rect(0, 0, 480, 480)), cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::countNonZero(run.image(cv::Rect(480, 0, 32, 512)).reshape(1)), 0);
}

TEST(IoTile, BadLayoutsAreClearErrors) {
  auto host = make_host();
  try {
    tile_and_untile(*host, "size = 1000\n");
    FAIL() << "a tile larger than the image must be refused";
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("the 512x512 image is smaller than one 1000x1000 tile"), std::string::npos)
        << e.what();
  }
  try {
    tile_and_untile(*host, "size = 16\nstride = 32\n");
    FAIL() << "a stride larger than the tile must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("stride 32 is larger than the tile size 16"), std::string::npos) << e.what();
  }
}
