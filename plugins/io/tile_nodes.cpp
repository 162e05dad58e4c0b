// io.tile cuts an image into square tiles (an N x C x t x t float tensor) for models that work on a fixed
// size; io.untile puts processed tiles back together, averaging where tiles overlap.
#include "image_files.hpp"
#include "io_nodes.hpp"

#include <cmath>
#include <vector>

namespace nfx::io {

namespace {

// Tile origins along one axis of length `extent`: every `stride` pixels, plus one last tile flush with the
// far edge when `cover` is set and the regular grid leaves pixels uncovered.
std::vector<int64_t> tile_origins(int64_t extent, int64_t size, int64_t stride, bool cover) {
  std::vector<int64_t> origins;
  for (int64_t o = 0; o + size <= extent; o += stride) origins.push_back(o);
  if (cover && !origins.empty() && origins.back() + size < extent) origins.push_back(extent - size);
  return origins;
}

struct TileGrid {
  std::vector<int64_t> ys, xs;
  int64_t count() const { return static_cast<int64_t>(ys.size() * xs.size()); }
};

class TileLayout {
 public:
  explicit TileLayout(nfx::Params& p)
      : size_(p.get_int("size")), stride_(p.get_int("stride") > 0 ? p.get_int("stride") : size_),
        cover_(p.get_string("edge") == "cover") {
    if (stride_ > size_) throw nfx::Error("stride " + std::to_string(stride_) + " is larger than the tile size " +
                                          std::to_string(size_) + ": pixels between tiles would be lost");
  }

  TileGrid grid(int64_t height, int64_t width) const {
    if (height < size_ || width < size_) {
      throw nfx::Error("the " + std::to_string(width) + "x" + std::to_string(height) + " image is smaller than one " +
                       std::to_string(size_) + "x" + std::to_string(size_) + " tile");
    }
    return {tile_origins(height, size_, stride_, cover_), tile_origins(width, size_, stride_, cover_)};
  }

  int64_t size() const { return size_; }

 private:
  int64_t size_, stride_;
  bool cover_;
};

class Tile : public nfx::Node {
 public:
  explicit Tile(nfx::Params& p) : layout_(p), scale_(static_cast<float>(p.get_float("scale"))) {}
  void process(nfx::Context& ctx) override {
    cv::Mat image = as_mat(ctx.input(0));
    const int64_t c = image.channels(), t = layout_.size();
    const TileGrid grid = layout_.grid(image.rows, image.cols);
    nfx::Tensor tiles(nfx::dtype_f32(), {grid.count(), c, t, t});
    float* out = tiles.data<float>();
    for (int64_t y0 : grid.ys) {
      for (int64_t x0 : grid.xs) {
        for (int64_t ch = 0; ch < c; ++ch) {
          for (int64_t y = 0; y < t; ++y) {
            const unsigned char* row = image.ptr<unsigned char>(static_cast<int>(y0 + y)) + x0 * c + ch;
            for (int64_t x = 0; x < t; ++x) *out++ = row[x * c] * scale_;
          }
        }
      }
    }
    ctx.output(0, std::move(tiles));
  }

 private:
  TileLayout layout_;
  float scale_;
};

class Untile : public nfx::Node {
 public:
  explicit Untile(nfx::Params& p) : layout_(p), scale_(p.get_float("scale")) {}
  void process(nfx::Context& ctx) override {
    const DLTensor& tiles = ctx.input(0);
    cv::Mat reference = as_mat(ctx.input(1));
    const int64_t h = reference.rows, w = reference.cols, t = layout_.size();
    const TileGrid grid = layout_.grid(h, w);
    if (!nfx::is_compact(tiles) || tiles.shape[0] != grid.count() || tiles.shape[2] != t || tiles.shape[3] != t) {
      throw nfx::Error("expected " + std::to_string(grid.count()) + " x C x " + std::to_string(t) + " x " +
                       std::to_string(t) + " tiles for the " + std::to_string(w) + "x" + std::to_string(h) +
                       " reference image, got " + std::to_string(tiles.shape[0]) + " x " +
                       std::to_string(tiles.shape[1]) + " x " + std::to_string(tiles.shape[2]) + " x " +
                       std::to_string(tiles.shape[3]));
    }
    const int64_t c = tiles.shape[1];
    if (c != 1 && c != 3 && c != 4) throw nfx::Error("tiles must have 1, 3 or 4 channels, got " + std::to_string(c));
    std::vector<double> sum(static_cast<size_t>(h * w * c), 0.0);
    std::vector<int> hits(static_cast<size_t>(h * w), 0);
    auto accumulate = [&](auto* in) {
      for (int64_t y0 : grid.ys) {
        for (int64_t x0 : grid.xs) {
          for (int64_t ch = 0; ch < c; ++ch) {
            for (int64_t y = 0; y < t; ++y) {
              for (int64_t x = 0; x < t; ++x) sum[((y0 + y) * w + x0 + x) * c + ch] += static_cast<double>(*in++);
            }
          }
          for (int64_t y = 0; y < t; ++y) {
            for (int64_t x = 0; x < t; ++x) ++hits[(y0 + y) * w + x0 + x];
          }
        }
      }
    };
    if (tiles.dtype.bits == 64) accumulate(nfx::data_ptr<double>(tiles));
    else accumulate(nfx::data_ptr<float>(tiles));
    nfx::Tensor image(nfx::dtype_u8(), {h, w, c});
    unsigned char* out = image.data<unsigned char>();
    for (int64_t i = 0; i < h * w; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        // Pixels no tile covers (edge = "drop") come out black.
        const double v = hits[i] ? std::round(sum[i * c + ch] / hits[i] * scale_) : 0.0;
        out[i * c + ch] = static_cast<unsigned char>(std::isnan(v) ? 0 : v < 0 ? 0 : v > 255 ? 255 : v);
      }
    }
    ctx.output(0, std::move(image));
  }

 private:
  TileLayout layout_;
  double scale_;
};

void add_layout_params(nfx::NodeTypeBuilder& node) {
  node.param(nfx::int_param("size", 64, "tile width and height in pixels", 1, 65535))
      .param(nfx::int_param("stride", 0, "distance between tile origins; 0: the tile size (no overlap)", 0, 65535))
      .param(nfx::string_param("edge", "cover",
                               "cover: add a last row/column of tiles flush with the far edge so every pixel is in a "
                               "tile; drop: leave out the pixels a whole stride no longer fits",
                               "cover|drop"));
}

}  // namespace

void register_tile_nodes(nfx::PluginBuilder& plugin) {
  auto& tile = plugin.node<Tile>("io.tile", "Cuts an image into square tiles, row by row, as an N x C x t x t float32 "
                                            "tensor")
                   .input(nfx::image_port("image", "image"))
                   .output(nfx::tensor_port("tiles", "N x C x size x size float32, tiles in reading order",
                                            NFX_DTYPE_F32, 4))
                   .param(nfx::float_param("scale", 1.0 / 255.0, "multiplier applied to each 0..255 value"))
                   .reentrant();
  add_layout_params(tile);
  auto& untile = plugin.node<Untile>("io.untile", "Puts tiles made by io.tile back into an image the size of the "
                                                  "reference, averaging overlaps")
                     .input(nfx::tensor_port("tiles", "N x C x size x size float32 or float64, C = 1, 3 or 4",
                                             NFX_DTYPE_F32 | NFX_DTYPE_F64, 4))
                     .input(nfx::image_port("reference", "the image that was tiled (only its size is used)"))
                     .output(nfx::image_port("image", "HWC uint8"))
                     .param(nfx::float_param("scale", 255.0, "multiplier applied before rounding"))
                     .reentrant();
  add_layout_params(untile);
}

}  // namespace nfx::io
