// Super-resolution on held-out images (docs/sr.md): each image is shrunk by MATLAB's bicubic imresize and
// restored by one upscaler (any model sr.upscale runs, through the same code); prints one row per image
// plus the mean: Y-PSNR and Y-SSIM with a border crop equal to the scale (as the SR literature reports
// them), RGB PSNR, wall-clock milliseconds per output megapixel on all cores, and the process's peak
// memory. bench/sr.sh runs every model in its own process and makes the table.
//
//   bench_sr [--temperature T] MODEL SCALE IMAGE...   MODEL: as sr.upscale's `model`; T: affine-stablesr's
//   bench_sr MODEL SCALE --real IMAGE... the shrunk images also get Gaussian noise (sigma 5 grey levels,
//                                        seeded) and JPEG compression (quality 60), as real photos do; prints
//                                        the mean BRISQUE of the outputs (OpenCV's quality module, LIVE model;
//                                        lower is better), since there is no clean reference for such input
//   bench_sr --compare TEST REFERENCE    RGB PSNR of one image file against another of the same size
//   bench_sr --shrink IMAGE SCALE OUT    writes IMAGE shrunk by MATLAB's imresize (the upscalers' input)
//   bench_sr --panel OUT SCALE IMAGE X Y SIZE MODEL...
//                                        a PNG of the SIZE x SIZE crop at (X, Y) of each model's output side
//                                        by side, the ground truth last, each labelled
//   bench_sr --receptive MODEL SCALE IMAGE
//                                        how far MODEL sees: the largest difference between its output on a
//                                        160 x 160 corner crop of IMAGE and on the 200 x 200 crop around it,
//                                        at d input pixels and more from the crop's inner edges; then the
//                                        default overlap, and the largest difference between the whole
//                                        output and tiles of 96 with that overlap
#include "process_stats.hpp"
#include "model/stable_sr_training.hpp"
#include "model/upscaler.hpp"

#include <nfx/training/metrics.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/quality/qualitybrisque.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace {

torch::Tensor read_rgb(const std::string& file) {
  cv::Mat bgr = cv::imread(file, cv::IMREAD_COLOR), rgb;
  if (bgr.empty()) throw std::runtime_error("cannot read " + file);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
}

int compare(const std::string& test, const std::string& reference) {
  const torch::Tensor a = read_rgb(test), b = read_rgb(reference);
  if (a.sizes() != b.sizes()) throw std::runtime_error(test + " and " + reference + " differ in size");
  std::printf("%.2f dB RGB PSNR of %s against %s\n", nfx::training::psnr(a, b, {255.0, 0, false}), test.c_str(), reference.c_str());
  return 0;
}

cv::Mat to_bgr_mat(const torch::Tensor& chw) {
  const torch::Tensor hwc = chw.permute({1, 2, 0}).contiguous();
  cv::Mat rgb(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_8UC3, hwc.data_ptr<uint8_t>()), bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

// Noise, then JPEG at quality 60, on a shrunk image: the input of a real photo rather than a clean one.
torch::Tensor real_degradation(const torch::Tensor& low, uint64_t seed) {
  torch::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor noisy = (low.to(torch::kFloat) + 5.0 * torch::randn(low.sizes(), g)).round().clamp(0, 255).to(torch::kUInt8);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", to_bgr_mat(noisy), jpeg, {cv::IMWRITE_JPEG_QUALITY, 60});
  cv::Mat decoded = cv::imdecode(jpeg, cv::IMREAD_COLOR), rgb;
  cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
}

int brisque(const nfx::sr::Upscaler& upscaler, const std::string& name, int64_t scale, int argc, char** argv) {
  const std::string model = "/usr/share/opencv4/quality/brisque_model_live.yml", range = "/usr/share/opencv4/quality/brisque_range_live.yml";
  double sum = 0;
  for (int i = 4; i < argc; ++i) {
    torch::Tensor truth = read_rgb(argv[i]);
    truth = truth.slice(1, 0, truth.size(1) / scale * scale).slice(2, 0, truth.size(2) / scale * scale).contiguous();
    const torch::Tensor low = real_degradation(nfx::sr::degrade_bicubic(truth, scale), static_cast<uint64_t>(i));
    const double score = cv::quality::QualityBRISQUE::compute(to_bgr_mat(upscaler.upscale(low)), model, range)[0];
    std::printf("%s x%lld %s, noisy JPEG input: BRISQUE %.2f\n", name.c_str(), static_cast<long long>(scale),
                std::filesystem::path(argv[i]).filename().c_str(), score);
    sum += score;
  }
  std::printf("| %s | x%lld | %.2f |\n", name.c_str(), static_cast<long long>(scale), sum / (argc - 4));
  return 0;
}

int panel(int argc, char** argv) {
  const int64_t scale = std::atoi(argv[3]), x = std::atoi(argv[5]), y = std::atoi(argv[6]), size = std::atoi(argv[7]);
  torch::Tensor truth = read_rgb(argv[4]);
  truth = truth.slice(1, 0, truth.size(1) / scale * scale).slice(2, 0, truth.size(2) / scale * scale).contiguous();
  const torch::Tensor low = nfx::sr::degrade_bicubic(truth, scale);
  const auto crop = [&](const torch::Tensor& image, const std::string& label) {
    cv::Mat tile;
    cv::resize(to_bgr_mat(image.slice(1, y, y + size).slice(2, x, x + size).contiguous()), tile, {}, 2, 2, cv::INTER_NEAREST);
    cv::Mat framed(tile.rows + 28, tile.cols, CV_8UC3, cv::Scalar(255, 255, 255));
    tile.copyTo(framed(cv::Rect(0, 0, tile.cols, tile.rows)));
    cv::putText(framed, label, {4, tile.rows + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    return framed;
  };
  std::vector<cv::Mat> tiles;
  for (int i = 8; i < argc; ++i) {
    nfx::sr::UpscalerOptions options;
    options.model = argv[i];
    options.scale = scale;
    tiles.push_back(crop(nfx::sr::Upscaler(options).upscale(low), argv[i]));
  }
  tiles.push_back(crop(truth, "ground truth"));
  cv::Mat row;
  cv::hconcat(tiles, row);
  return cv::imwrite(argv[2], row) ? 0 : 1;
}

}  // namespace

// An output pixel depends on the input within the receptive radius only: the smallest d whose difference is
// under 1e-4 (of the range 0-1) is the radius the model zoo records.
int receptive(const std::string& model, int64_t scale, const std::string& file) {
  const int64_t whole_side = 200, side = 160;
  const torch::Tensor image = read_rgb(file).narrow(1, 0, whole_side).narrow(2, 0, whole_side).contiguous();
  nfx::sr::UpscalerOptions options;
  options.model = model;
  options.scale = scale;
  options.tile = 4096;
  const nfx::sr::Upscaler whole(options);
  const torch::Tensor all = whole.upscale_float(image);
  const torch::Tensor corner = whole.upscale_float(image.narrow(1, 0, side).narrow(2, 0, side).contiguous());
  std::printf("%s x%lld, largest difference at distance d (input pixels) from a cut:", model.c_str(), static_cast<long long>(scale));
  int64_t radius = -1;
  for (int64_t d = 0; d <= 112; d += 2) {
    const int64_t n = scale * (side - d);
    const double worst = (all.narrow(1, 0, n).narrow(2, 0, n) - corner.narrow(1, 0, n).narrow(2, 0, n)).abs().max().item<double>();
    if (d % 8 == 0) std::printf(" d%lld %.1e", static_cast<long long>(d), worst);
    if (worst < 1e-4 && radius < 0) radius = d;
  }
  // Tiles overlapping by the default, as small as sr.upscale allows (twice the overlap) and at least 96, so
  // that the crop holds several where the radius is small.
  options.tile = 0;
  options.overlap = nfx::sr::Upscaler(options).tiles().overlap;
  options.tile = std::max<int64_t>(96, 2 * options.overlap);
  const double tiled = (nfx::sr::Upscaler(options).upscale_float(image) - all).abs().max().item<double>();
  std::printf("\n| %s | x%lld | %s | %lld | %.1e |\n", model.c_str(), static_cast<long long>(scale),
              radius < 0 ? "> 112" : std::to_string(radius).c_str(), static_cast<long long>(options.overlap), tiled);
  return 0;
}

int main(int argc, char** argv) try {
  if (argc == 5 && std::string(argv[1]) == "--receptive") return receptive(argv[2], std::atoi(argv[3]), argv[4]);
  if (argc == 4 && std::string(argv[1]) == "--compare") return compare(argv[2], argv[3]);
  if (argc > 8 && std::string(argv[1]) == "--panel") return panel(argc, argv);
  if (argc == 5 && std::string(argv[1]) == "--shrink") {
    const torch::Tensor truth = read_rgb(argv[2]);
    return cv::imwrite(argv[4], to_bgr_mat(nfx::sr::degrade_bicubic(truth, std::atoi(argv[3])))) ? 0 : 1;
  }
  double temperature = 0;
  if (argc > 2 && std::string(argv[1]) == "--temperature") {
    temperature = std::atof(argv[2]);
    argv += 2;
    argc -= 2;
  }
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_sr MODEL SCALE IMAGE...\n       bench_sr --compare TEST REFERENCE\n");
    return 2;
  }
  nfx::sr::UpscalerOptions options;
  options.model = argv[1];
  options.scale = std::atoi(argv[2]);
  options.temperature = temperature;
  const nfx::sr::Upscaler upscaler(options);
  const int64_t scale = options.scale;
  if (std::string(argv[3]) == "--real") return brisque(upscaler, options.model, scale, argc, argv);
  double sum_psnr = 0, sum_ssim = 0, sum_rgb = 0, seconds = 0, megapixels = 0;
  for (int i = 3; i < argc; ++i) {
    torch::Tensor truth = read_rgb(argv[i]);
    truth = truth.slice(1, 0, truth.size(1) / scale * scale).slice(2, 0, truth.size(2) / scale * scale).contiguous();
    const torch::Tensor low = nfx::sr::degrade_bicubic(truth, scale);
    const auto start = std::chrono::steady_clock::now();
    const torch::Tensor up = upscaler.upscale(low);
    const double took = nfx::bench::seconds_since(start);
    const nfx::training::PsnrOptions on_y{255.0, scale, true}, on_rgb{255.0, scale, false};
    const double y_psnr = nfx::training::psnr(up, truth, on_y);
    const double y_ssim = nfx::training::ssim(up, truth, on_y);
    const double rgb_psnr = nfx::training::psnr(up, truth, on_rgb);
    const double mp = static_cast<double>(up.size(1) * up.size(2)) / 1e6;
    std::printf("%s x%lld %s: Y-PSNR %.2f dB, Y-SSIM %.4f, RGB PSNR %.2f dB, %.0f ms per output MP\n", options.model.c_str(),
                static_cast<long long>(scale), std::filesystem::path(argv[i]).filename().c_str(), y_psnr, y_ssim, rgb_psnr,
                1000 * took / mp);
    sum_psnr += y_psnr;
    sum_ssim += y_ssim;
    sum_rgb += rgb_psnr;
    seconds += took;
    megapixels += mp;
  }
  const int n = argc - 3;
  std::printf("| %s | x%lld | %lld | %.2f | %.4f | %.2f | %.0f | %.0f |\n", options.model.c_str(), static_cast<long long>(scale),
              static_cast<long long>(upscaler.parameter_count()), sum_psnr / n, sum_ssim / n, sum_rgb / n,
              1000 * seconds / megapixels, nfx::bench::peak_rss_mib());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_sr: %s\n", e.what());
  return 1;
}
