// The io plugin on the real sample photos: read, resize, convert, write; corrupt files; atomic writes.
#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>

#include <cstring>
#include <fstream>

#include <sys/wait.h>
#include <zlib.h>
#include <unistd.h>

using namespace nfx::test;

namespace {

std::string pipeline(const std::string& input, const std::string& output, const std::string& extra = "") {
  return R"(
[nodes.read]
type = "io.read_images"
path = ")" + input + R"("
[nodes.resize]
type = "io.resize"
in.image = "read.image"
width = 64
[nodes.to_tensor]
type = "io.to_tensor"
in.image = "resize.image"
[nodes.to_image]
type = "io.to_image"
in.tensor = "to_tensor.tensor"
[nodes.write]
type = "io.write_images"
in.image = "to_image.image"
dir = ")" + output + R"("
ext = "png"
)" + extra;
}

int count_files(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

}  // namespace

TEST(IoNodes, ResizesEverySamplePhotoKeepingAspectRatio) {
  auto host = make_host();
  TempDir out;
  const fs::path photos = sample("images");
  auto graph = host->parse_graph(pipeline(photos.string(), out.path().string()), "resize.toml");
  nfx::RunStats stats = graph.run({});
  int inputs = 0;
  for (const auto& e : fs::directory_iterator(photos)) {
    ++inputs;
    cv::Mat original = cv::imread(e.path().string());
    cv::Mat written = cv::imread((out.path() / e.path().filename()).replace_extension(".png").string());
    ASSERT_FALSE(written.empty()) << e.path();
    EXPECT_EQ(written.cols, 64);
    EXPECT_NEAR(written.rows, 64.0 * original.rows / original.cols, 0.5) << e.path();
  }
  EXPECT_GE(inputs, 8);
  EXPECT_EQ(stats.items, inputs);
  EXPECT_EQ(count_files(out.path()), inputs);  // no temporary files left behind
}

TEST(IoNodes, TensorRoundTripIsExactAndChannelsStayRgb) {
  auto host = make_host();
  TempDir in, out;
  cv::Mat bgr(5, 7, CV_8UC3);
  cv::randu(bgr, 0, 256);
  cv::imwrite(in / "random.png", bgr);
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_image"
path = ")" + in / "random.png" + R"("
[nodes.t]
type = "io.to_tensor"
in.image = "read.image"
[nodes.out]
type = "host.output"
in.value = "t.tensor"
[nodes.back]
type = "io.to_image"
in.tensor = "t.tensor"
[nodes.write]
type = "io.write_images"
in.image = "back.image"
dir = ")" + out.path().string() + "\"\n", "roundtrip.toml");
  std::vector<float> red;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) {
    const DLTensor* t = e.value.dl();
    ASSERT_EQ(t->ndim, 4);
    EXPECT_EQ(t->shape[1], 3);
    const float* data = static_cast<const float*>(t->data);
    red.assign(data, data + 35);  // channel 0 is red
  };
  graph.run(options);
  ASSERT_EQ(red.size(), 35u);
  EXPECT_FLOAT_EQ(red[0], bgr.at<cv::Vec3b>(0, 0)[2] / 255.0f);
  cv::Mat back = cv::imread(out / "random.png");
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(cv::norm(back, bgr, cv::NORM_INF), 0.0);
}

TEST(IoNodes, CorruptImageNamesTheFileAndKeepsEarlierOutputs) {
  auto host = make_host();
  TempDir in, out;
  fs::copy_file(sample("images/baboon.jpg"), in / "a_baboon.jpg");
  std::ofstream(in / "b_broken.jpg") << "this is not a JPEG file";
  fs::copy_file(sample("images/coffee.png"), in / "c_coffee.png");
  std::ofstream(out / "earlier.txt") << "written by an earlier run";
  auto graph = host->parse_graph(pipeline(in.path().string(), out.path().string()), "corrupt.toml");
  nfx::RunOptions options;
  options.threads = 1;
  try {
    graph.run(options);
    FAIL() << "a corrupt image must fail the run";
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("b_broken.jpg: cannot decode the image"), std::string::npos) << e.what();
    EXPECT_EQ(e.node(), "read");
  }
  EXPECT_TRUE(fs::exists(out / "a_baboon.png"));  // finished before the error: kept
  EXPECT_TRUE(fs::exists(out / "earlier.txt"));   // not ours: untouched
  EXPECT_FALSE(fs::exists(out / "c_coffee.png")); // after the error: not started
  EXPECT_EQ(count_files(out.path()), 2);          // and no half-written temporary files
}

// With on_error = "skip" on the reader, the corrupt file is logged and dropped and the rest is written.
TEST(IoNodes, CorruptImageIsSkippedWithOnErrorSkip) {
  TempDir in, out;
  fs::copy_file(sample("images/baboon.jpg"), in / "a_baboon.jpg");
  std::ofstream(in / "b_broken.jpg") << "this is not a JPEG file";
  fs::copy_file(sample("images/coffee.png"), in / "c_coffee.png");
  std::vector<std::string> errors;
  nfx::HostOptions host_options;
  host_options.use_env_path = false;
  host_options.use_install_dir = false;
  host_options.plugin_paths.push_back(NFX_TEST_PLUGIN_DIR);
  host_options.log = [&](nfx_log_level level, const std::string&, const std::string& message) {
    if (level >= NFX_LOG_ERROR) errors.push_back(message);
  };
  nfx::Host host(host_options);
  ASSERT_TRUE(host.load_plugins().empty());
  std::string toml = pipeline(in.path().string(), out.path().string());
  toml.replace(toml.find("[nodes.resize]"), 0, "on_error = \"skip\"\n");
  auto graph = host.parse_graph(toml, "skip.toml");
  nfx::RunOptions options;
  options.threads = 2;
  const nfx::RunStats stats = graph.run(options);
  EXPECT_EQ(stats.items, 2);
  EXPECT_EQ(stats.skipped, 1);
  EXPECT_TRUE(fs::exists(out / "a_baboon.png"));
  EXPECT_TRUE(fs::exists(out / "c_coffee.png"));
  EXPECT_EQ(count_files(out.path()), 2);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("item 1 'b_broken.jpg': "), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("cannot decode the image"), std::string::npos) << errors[0];
}

TEST(IoNodes, ExistingOutputsAreSkippedUnlessOverwrite) {
  auto host = make_host();
  TempDir in, out;
  fs::copy_file(sample("images/chelsea.png"), in / "chelsea.png");
  std::ofstream(out / "chelsea.png") << "keep me";
  host->parse_graph(pipeline(in.path().string(), out.path().string()), "skip.toml").run({});
  std::ifstream kept(out / "chelsea.png");
  std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "keep me");
  host->parse_graph(pipeline(in.path().string(), out.path().string(), "overwrite = true\n"), "ow.toml").run({});
  EXPECT_EQ(cv::imread(out / "chelsea.png").cols, 64);
}

TEST(IoNodes, GlobSelectsFilesAndMissingPathIsAClearError) {
  auto host = make_host();
  TempDir out;
  auto graph = host->parse_graph(pipeline((sample("images") / "*.jpg").string(), out.path().string()), "glob.toml");
  const int64_t jpgs = graph.run({}).items;
  EXPECT_EQ(jpgs, 4);  // baboon, fruits, rocket, starry_night
  auto missing = host->parse_graph(pipeline("/no/such/folder", out.path().string()), "missing.toml");
  try {
    missing.run({});
    FAIL();
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/folder: no such file or folder"), std::string::npos) << e.what();
  }
}

TEST(IoNodes, CropOutsideTheImageIsRefused) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.read]
type = "io.read_image"
path = ")" + sample("images/butterfly.png").string() + R"("
[nodes.crop]
type = "io.crop"
in.image = "read.image"
x = 200
width = 200
[nodes.out]
type = "host.output"
in.value = "crop.image"
)", "crop.toml");
  EXPECT_THROW(graph.run({}), nfx::RunError);
}

// Item names reach the file system as written: a name with ".." inside a component is kept, one that
// would climb out of dir fails its item (it used to become item_<index>, colliding with real names), and
// two items that would write one file fail instead of one silently replacing the other (issue 13).
TEST(IoNodes, ItemNamesAreKeptAndNeverClimbOutOrCollide) {
  auto host = make_host();
  TempDir out;
  auto write = [&](const std::string& names, const std::string& ext) {
    const std::string graph = "[nodes.src]\ntype = \"test.named_images\"\nnames = \"" + names +
                              "\"\n[nodes.write]\ntype = \"io.write_images\"\nin.image = \"src.image\"\ndir = \"" +
                              out.path().string() + "\"\next = \"" + ext + "\"\noverwrite = true\n";
    try {
      host->parse_graph(graph, "w.toml").run({});
    } catch (const nfx::RunError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(write("a..b.png|sub/c.png", ""), "");
  EXPECT_TRUE(fs::exists(out / "a..b.png"));
  EXPECT_TRUE(fs::exists(out.path() / "sub" / "c.png"));

  const std::string climbing = write("../escape.png", "");
  EXPECT_NE(climbing.find("climbs out"), std::string::npos) << climbing;
  EXPECT_FALSE(fs::exists(out.path().parent_path() / "escape.png"));
  EXPECT_NE(write("/tmp/absolute.png", "").find("absolute"), std::string::npos);

  const std::string collision = write("d.jpg|d.png", "png");
  EXPECT_NE(collision.find("would both be written to"), std::string::npos) << collision;
  EXPECT_NE(collision.find("'d.jpg'"), std::string::npos) << collision;  // in either order: items run in parallel
  EXPECT_NE(collision.find("'d.png'"), std::string::npos) << collision;
}

// Globs match in at most pattern x name steps: this pattern took the recursive matcher longer than the
// test's time-out on a name of 40 a's (issue 13). '*' and '?' keep their meaning.
TEST(IoNodes, GlobsMatchWithoutExponentialBacktracking) {
  auto host = make_host();
  TempDir in, out;
  fs::copy_file(sample("images/chelsea.png"), in / (std::string(40, 'a') + ".png"));
  fs::copy_file(sample("images/chelsea.png"), in / "cat.png");
  auto count = [&](const std::string& glob) {
    return host->parse_graph(pipeline((in.path() / glob).string(), out.path().string(), "overwrite = true\n"), "g.toml")
        .run({})
        .items;
  };
  EXPECT_THROW(count("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"), nfx::RunError);  // matches nothing: a located error
  EXPECT_EQ(count("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*.png"), 1);
  EXPECT_EQ(count("c?t.*"), 1);
  EXPECT_EQ(count("*.png"), 2);
  EXPECT_EQ(count("*at.png"), 1);
}

// Temporary files are hidden, fit the 255-byte name limit, are never read as images, and those a killed
// run left behind are removed by the next writer into that folder; a symlink loop in an input folder is
// passed over (issue 13).
TEST(IoNodes, TemporariesStayOutOfTheWayAndLongNamesAndSymlinkLoopsWork) {
  auto host = make_host();
  TempDir in, out;
  const std::string longest = std::string(251, 'n') + ".png";  // 255 bytes, the most a name may have
  fs::copy_file(sample("images/chelsea.png"), in / longest);
  fs::copy_file(sample("images/chelsea.png"), in / ".hidden.png");
  fs::create_directory_symlink(in / "loop", in / "loop");  // a link to itself
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const fs::path stale = out / (".left.tmp" + std::to_string(dead) + "_0.png");
  const fs::path live = out / (".busy.tmp" + std::to_string(getppid()) + "_0.png");
  std::ofstream(stale) << "killed";
  std::ofstream(live) << "still writing";

  const int64_t items = host->parse_graph(pipeline(in.path().string(), out.path().string()), "long.toml").run({}).items;
  EXPECT_EQ(items, 1) << "the hidden file is not read, the loop is passed over";
  EXPECT_EQ(cv::imread(out / longest).cols, 64);
  EXPECT_FALSE(fs::exists(stale)) << "left by a process that is gone";
  EXPECT_TRUE(fs::exists(live)) << "belongs to a running process";
  EXPECT_EQ(count_files(out.path()), 2);
}

namespace {

// The error of reading one image file with io.read_image, "" when it was read.
std::string read_error(nfx::Host& host, const fs::path& file, int64_t max_pixels) {
  try {
    host.parse_graph("[nodes.read]\ntype = \"io.read_image\"\npath = \"" + file.string() +
                         "\"\nmax_pixels = " + std::to_string(max_pixels) + "\n", "read.toml")
        .run({});
  } catch (const nfx::RunError& e) {
    return e.what();
  }
  return "";
}

void put_big_endian(std::vector<unsigned char>& bytes, size_t at, uint32_t value, int count) {
  for (int i = 0; i < count; ++i) bytes[at + i] = static_cast<unsigned char>(value >> (8 * (count - 1 - i)));
}

}  // namespace

// Every format's header is read before decoding: the cat (451 x 300) in PNG, JPEG, TIFF, WebP, BMP and PPM
// is refused under a limit below its pixel count and read under one above it (issue 13).
TEST(IoNodes, EveryFormatsDeclaredSizeIsCheckedBeforeDecoding) {
  auto host = make_host();
  TempDir dir;
  const cv::Mat cat = cv::imread(sample("images/chelsea.png"));
  for (const std::string ext : {".png", ".jpg", ".tif", ".webp", ".bmp", ".ppm"}) {
    SCOPED_TRACE(ext);
    const fs::path file = dir / ("cat" + ext);
    ASSERT_TRUE(cv::imwrite(file.string(), cat));
    const std::string refused = read_error(*host, file, 451 * 300 - 1);
    EXPECT_NE(refused.find("declares 451 x 300 pixels, more than max_pixels = 135299"), std::string::npos) << refused;
    EXPECT_EQ(read_error(*host, file, 451 * 300), "");
  }
}

// A small file declaring 32000 x 32000 pixels (a JPEG and a PNG whose headers were rewritten) is refused
// from its header under the default limit, before 3 GB are allocated for it (issue 13).
TEST(IoNodes, ADecompressionBombIsRefusedFromItsHeader) {
  auto host = make_host();
  TempDir dir;
  const cv::Mat small(16, 16, CV_8UC3, cv::Scalar(10, 20, 30));
  std::vector<unsigned char> jpeg, png;
  cv::imencode(".jpg", small, jpeg);
  cv::imencode(".png", small, png);
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {  // SOF0: length, precision, height, width
      put_big_endian(jpeg, i + 5, 32000, 2);
      put_big_endian(jpeg, i + 7, 32000, 2);
      break;
    }
  }
  put_big_endian(png, 16, 32000, 4);  // IHDR width and height, then its CRC over "IHDR" and the 13 data bytes
  put_big_endian(png, 20, 32000, 4);
  put_big_endian(png, 29, static_cast<uint32_t>(crc32(0, png.data() + 12, 17)), 4);
  for (const auto& [name, bytes] : {std::pair{"bomb.jpg", jpeg}, std::pair{"bomb.png", png}}) {
    SCOPED_TRACE(name);
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                      static_cast<std::streamsize>(bytes.size()));
    const std::string refused = read_error(*host, dir / name, 200'000'000);
    EXPECT_NE(refused.find("declares 32000 x 32000 pixels"), std::string::npos) << refused;
    EXPECT_NE(refused.find("decompression bomb"), std::string::npos) << refused;
  }
}

namespace {

// A big-endian EXIF payload ("Exif\0\0" + TIFF) with a Make tag, an Exif IFD holding a MakerNote and a
// body serial number, and a thumbnail stored as two uncompressed strips.
std::vector<unsigned char> crafted_exif() {
  std::vector<unsigned char> t = {'M', 'M', 0, 42, 0, 0, 0, 8};
  auto u16 = [&](uint32_t v) { t.push_back(static_cast<unsigned char>(v >> 8)); t.push_back(static_cast<unsigned char>(v)); };
  auto u32 = [&](uint32_t v) { u16(v >> 16); u16(v & 0xFFFF); };
  auto entry = [&](uint32_t tag, uint32_t type, uint32_t count, uint32_t value) { u16(tag); u16(type); u32(count); u32(value); };
  const uint32_t ifd0 = 8, exif_ifd = ifd0 + 2 + 24 + 4, ifd1 = exif_ifd + 2 + 24 + 4, data = ifd1 + 2 + 24 + 4;
  const std::string make = std::string("TestCam") + '\0', maker = std::string("SERIAL-NUMBER-12345") + '\0',
                    body = std::string("BODY-987654") + '\0', strips(32, 'T');
  const uint32_t make_at = data, maker_at = make_at + 8, body_at = maker_at + 20, offsets_at = body_at + 12,
                 strips_at = offsets_at + 8;
  u16(2); entry(0x010F, 2, 8, make_at); entry(0x8769, 4, 1, exif_ifd); u32(ifd1);
  u16(2); entry(0x927C, 7, 20, maker_at); entry(0xA431, 2, 12, body_at); u32(0);
  u16(2); entry(0x0111, 4, 2, offsets_at); u16(0x0117); u16(3); u32(2); u16(16); u16(16); u32(0);
  for (const std::string& s : {make, maker, body}) t.insert(t.end(), s.begin(), s.end());
  u32(strips_at); u32(strips_at + 16);
  t.insert(t.end(), strips.begin(), strips.end());
  std::vector<unsigned char> payload(6 + t.size(), 0);
  std::memcpy(payload.data(), "Exif", 4);
  std::copy(t.begin(), t.end(), payload.begin() + 6);
  return payload;
}

bool contains(const std::vector<unsigned char>& bytes, const std::string& text) {
  return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
}

}  // namespace

// keep_metadata = true keeps the EXIF but not what identifies the camera or shows the unscrubbed photo:
// a thumbnail stored as strips is zeroed (it was only unlinked), and so are the MakerNote and the serial
// numbers; the Make tag stays (issue 13).
TEST(IoNodes, KeptMetadataLosesStripThumbnailsMakerNotesAndSerials) {
  auto host = make_host();
  TempDir in, out;
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), jpeg);
  const std::vector<unsigned char> exif = crafted_exif();
  std::vector<unsigned char> app1(4 + exif.size());
  app1[0] = 0xFF;
  app1[1] = 0xE1;
  app1[2] = static_cast<unsigned char>((exif.size() + 2) >> 8);
  app1[3] = static_cast<unsigned char>(exif.size() + 2);
  std::copy(exif.begin(), exif.end(), app1.begin() + 4);
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  ASSERT_TRUE(contains(jpeg, "SERIAL-NUMBER-12345") && contains(jpeg, std::string(32, 'T')));
  std::ofstream(in / "card.jpg", std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()),
                                                         static_cast<std::streamsize>(jpeg.size()));
  host->parse_graph("[nodes.read]\ntype = \"io.read_image\"\npath = \"" + (in / "card.jpg") +
                        "\"\n[nodes.write]\ntype = \"io.write_images\"\nin.image = \"read.image\"\nin.exif = \"read.exif\"\n"
                        "dir = \"" + out.path().string() + "\"\nkeep_metadata = true\n", "keep.toml")
      .run({});
  std::ifstream written(out / "card.jpg", std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(bytes, "TestCam")) << "the rest of the metadata is kept";
  EXPECT_FALSE(contains(bytes, "SERIAL-NUMBER"));
  EXPECT_FALSE(contains(bytes, "BODY-987654"));
  EXPECT_FALSE(contains(bytes, std::string(16, 'T'))) << "the strips of the thumbnail";
}
