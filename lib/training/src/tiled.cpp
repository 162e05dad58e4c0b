#include <nfx/training/tiled.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace nfx::training {

namespace {

// Tile starts along one side: stride tile - overlap, the last tile flush with the far edge.
std::vector<int64_t> starts(int64_t size, int64_t tile, int64_t overlap) {
  std::vector<int64_t> out{0};
  while (out.back() + tile < size) out.push_back(std::min(out.back() + tile - overlap, size - tile));
  return out;
}

// Blending weight along one side of a tile of `length` output pixels. At an edge shared with a neighbour the
// first `margin` of the `ramp` pixels (where a convolution's padding spoils the output) get no weight, then
// the weight rises linearly to 1 up to `margin` pixels before the ramp's end, so the weights of two tiles
// overlapping by `ramp` add up to 1. Image borders keep weight 1.
torch::Tensor ramp_weights(int64_t length, int64_t ramp, int64_t margin, bool rise_at_start, bool fall_at_end) {
  torch::Tensor w = torch::ones({length}, torch::kFloat);
  const int64_t r = std::min(ramp, length), m = std::min(margin, r / 2), rise = std::max<int64_t>(1, r - 2 * m);
  if (r > 0) {
    const torch::Tensor d = torch::arange(r, torch::kFloat);
    const torch::Tensor up = ((d - static_cast<double>(m) + 0.5) / static_cast<double>(rise)).clamp(0.0, 1.0);
    if (rise_at_start) w.narrow(0, 0, r).mul_(up);
    if (fall_at_end) w.narrow(0, length - r, r).mul_(up.flip({0}));
  }
  return w;
}

}  // namespace

void tiled_apply_float(const torch::Tensor& image, const ImageModel& model, const TileOptions& o, const FloatRowSink& sink) {
  if (image.dim() != 3 || image.scalar_type() != torch::kUInt8) throw std::invalid_argument("tiled: expected a C x H x W uint8 image");
  if (o.tile < 1 || o.overlap < 0 || o.scale < 1) throw std::invalid_argument("tiled: tile >= 1, overlap >= 0, scale >= 1");
  if (2 * o.margin > o.overlap) throw std::invalid_argument("tiled: a margin of more than half the overlap leaves a gap");
  const int64_t h = image.size(1), w = image.size(2), s = o.scale;
  const int64_t tile_h = std::min(o.tile, h), tile_w = std::min(o.tile, w);
  const int64_t overlap_h = std::min(o.overlap, tile_h - 1), overlap_w = std::min(o.overlap, tile_w - 1);
  if (overlap_h < 0 || overlap_w < 0) throw std::invalid_argument("tiled: the image is empty");
  const std::vector<int64_t> ys = starts(h, tile_h, overlap_h), xs = starts(w, tile_w, overlap_w);
  const auto margin = [&](int64_t overlap) { return o.margin < 0 ? overlap / 4 : o.margin; };
  torch::NoGradGuard no_grad;
  const auto tiles = static_cast<int64_t>(ys.size() * xs.size());
  int64_t tiles_done = 0;

  // Output rows [band_first, band_first + rows) accumulate until no later band reaches them.
  torch::Tensor sum, weight;
  int64_t band_first = 0, channels = -1;
  for (size_t by = 0; by < ys.size(); ++by) {
    const int64_t y0 = ys[by];
    const bool last_band = by + 1 == ys.size();
    const int64_t band_end = s * (y0 + tile_h);
    if (!sum.defined()) {
      band_first = s * y0;
    }
    for (size_t bx = 0; bx < xs.size(); ++bx) {
      const int64_t x0 = xs[bx];
      const torch::Tensor input = image.narrow(1, y0, tile_h).narrow(2, x0, tile_w).to(torch::kFloat).div(255.0).unsqueeze(0);
      const torch::Tensor out = model(input);
      if (out.dim() != 4 || out.size(0) != 1 || out.size(2) != s * tile_h || out.size(3) != s * tile_w) {
        throw std::invalid_argument("tiled: the model made " + c10::str(out.sizes()) + " of a " + c10::str(input.sizes()) +
                                    " tile; expected 1 x C x " + std::to_string(s * tile_h) + " x " + std::to_string(s * tile_w));
      }
      if (channels < 0) {
        channels = out.size(1);
        sum = torch::zeros({channels, band_end - band_first, s * w}, torch::kFloat);
        weight = torch::zeros({band_end - band_first, s * w}, torch::kFloat);
      }
      if (sum.size(1) < band_end - band_first) {  // the band grows to hold this row of tiles
        const int64_t extra = band_end - band_first - sum.size(1);
        sum = torch::cat({sum, torch::zeros({channels, extra, s * w}, torch::kFloat)}, 1);
        weight = torch::cat({weight, torch::zeros({extra, s * w}, torch::kFloat)}, 0);
      }
      const torch::Tensor wy = ramp_weights(s * tile_h, s * overlap_h, s * margin(overlap_h), by > 0, !last_band);
      const torch::Tensor wx = ramp_weights(s * tile_w, s * overlap_w, s * margin(overlap_w), bx > 0, bx + 1 < xs.size());
      const torch::Tensor wt = torch::outer(wy, wx);
      const int64_t oy = s * y0 - band_first, ox = s * x0;
      sum.narrow(1, oy, s * tile_h).narrow(2, ox, s * tile_w).add_(out[0].to(torch::kFloat) * wt);
      weight.narrow(0, oy, s * tile_h).narrow(1, ox, s * tile_w).add_(wt);
      if (o.progress) o.progress(++tiles_done, tiles);
    }
    // Rows above the next band's first row are final.
    const int64_t done_end = last_band ? band_end : s * ys[by + 1];
    const int64_t done = done_end - band_first;
    if (done > 0) {
      sink(band_first, sum.narrow(1, 0, done) / weight.narrow(0, 0, done));
      sum = sum.narrow(1, done, sum.size(1) - done).clone();
      weight = weight.narrow(0, done, weight.size(0) - done).clone();
      band_first = done_end;
    }
  }
}

torch::Tensor to_uint8_rows(const torch::Tensor& rows) {
  return (rows * 255.0).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
}

void tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options, const RowSink& sink) {
  tiled_apply_float(image, model, options, [&](int64_t first, const torch::Tensor& rows) { sink(first, to_uint8_rows(rows)); });
}

torch::Tensor tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options) {
  std::vector<torch::Tensor> rows;
  tiled_apply(image, model, options, [&](int64_t, const torch::Tensor& r) { rows.push_back(r); });
  return torch::cat(rows, 0).permute({2, 0, 1}).contiguous();
}

}  // namespace nfx::training
