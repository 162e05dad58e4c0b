// Super-resolution on held-out images (docs/sr.md): each image is shrunk by MATLAB's bicubic imresize and
// restored by one upscaler; prints one row per image plus the mean: Y-PSNR and Y-SSIM with a border crop
// equal to the scale (as the SR literature reports them), RGB PSNR, CPU milliseconds per output megapixel
// and the process's peak memory. bench/sr.sh runs every model in its own process and makes the table.
//
//   bench_sr MODEL SCALE IMAGE...      MODEL: bicubic, esrgan-slim, esrgan-medium, esrgan-thick
#include "model_zoo.hpp"
#include "process_stats.hpp"
#include "tfjs_model.hpp"

#include <nfx/training/metrics.hpp>
#include <nfx/training/resize.hpp>
#include <nfx/training/tiled.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>

namespace {

torch::Tensor read_rgb(const std::string& file) {
  cv::Mat bgr = cv::imread(file, cv::IMREAD_COLOR), rgb;
  if (bgr.empty()) throw std::runtime_error("cannot read " + file);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_sr MODEL SCALE IMAGE...\n");
    return 2;
  }
  const std::string name = argv[1];
  const int scale = std::atoi(argv[2]);
  std::optional<nfx::sr::TfjsModel> model;
  double range = 255;
  if (name != "bicubic") {
    const nfx::sr::ZooModel zoo = nfx::sr::find_zoo_model(name, scale, "");
    model = nfx::sr::TfjsModel::load(zoo.model_json);
    range = zoo.input_range;
  }
  nfx::training::TileOptions tiles;
  tiles.tile = 192;
  tiles.overlap = 16;
  tiles.scale = scale;
  double sum_psnr = 0, sum_ssim = 0, sum_rgb = 0, seconds = 0, megapixels = 0;
  for (int i = 3; i < argc; ++i) {
    torch::Tensor truth = read_rgb(argv[i]);
    truth = truth.slice(1, 0, truth.size(1) / scale * scale).slice(2, 0, truth.size(2) / scale * scale);
    const torch::Tensor low = nfx::training::imresize_bicubic(truth, truth.size(1) / scale, truth.size(2) / scale)
                                  .clamp(0, 255).round().to(torch::kUInt8);
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor up;
    if (model) {
      up = nfx::training::tiled_apply(
          low, [&](const torch::Tensor& t) { return model->forward(t * range) / range; }, tiles);
    } else {
      up = nfx::training::imresize_bicubic(low, truth.size(1), truth.size(2)).clamp(0, 255).round().to(torch::kUInt8);
    }
    const double took = nfx::bench::seconds_since(start);
    const nfx::training::PsnrOptions on_y{255.0, scale, true}, on_rgb{255.0, scale, false};
    const double y_psnr = nfx::training::psnr(up, truth, on_y);
    const double y_ssim = nfx::training::ssim(up, truth, on_y);
    const double rgb_psnr = nfx::training::psnr(up, truth, on_rgb);
    const double mp = static_cast<double>(up.size(1) * up.size(2)) / 1e6;
    std::printf("%s x%d %s: Y-PSNR %.2f dB, Y-SSIM %.4f, RGB PSNR %.2f dB, %.0f ms per output MP\n", name.c_str(), scale,
                std::filesystem::path(argv[i]).filename().c_str(), y_psnr, y_ssim, rgb_psnr, 1000 * took / mp);
    sum_psnr += y_psnr;
    sum_ssim += y_ssim;
    sum_rgb += rgb_psnr;
    seconds += took;
    megapixels += mp;
  }
  const int n = argc - 3;
  std::printf("| %s | x%d | %lld | %.2f | %.4f | %.2f | %.0f | %.0f |\n", name.c_str(), scale,
              static_cast<long long>(model ? model->parameter_count() : 0), sum_psnr / n, sum_ssim / n, sum_rgb / n,
              1000 * seconds / megapixels, nfx::bench::peak_rss_mib());
  return 0;
}
