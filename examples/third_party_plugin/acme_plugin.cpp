// A third-party nfx plugin: one node that inverts the colors of an image.
#include <nfx/nfx.hpp>

#include <cstring>

namespace {

class Invert : public nfx::Node {
 public:
  explicit Invert(nfx::Params& params) : keep_alpha_(params.get_bool("keep_alpha")) {}

  void process(nfx::Context& ctx) override {
    const DLTensor& in = ctx.input(0);
    if (!nfx::is_compact(in)) throw nfx::Error("expected a compact image");
    const int64_t h = in.shape[0], w = in.shape[1], c = in.shape[2];
    nfx::Tensor out(nfx::dtype_u8(), {h, w, c});
    const unsigned char* src = nfx::data_ptr<unsigned char>(in);
    unsigned char* dst = out.data<unsigned char>();
    for (int64_t i = 0; i < h * w * c; ++i) {
      const bool alpha = keep_alpha_ && c == 4 && i % 4 == 3;
      dst[i] = alpha ? src[i] : static_cast<unsigned char>(255 - src[i]);
    }
    ctx.output(0, std::move(out));
  }

 private:
  bool keep_alpha_;
};

}  // namespace

NFX_PLUGIN("acme", "1.0.0", "Example third-party plugin") {
  plugin.node<Invert>("acme.invert", "Inverts the colors of an image")
      .input(nfx::image_port("image", "image to invert"))
      .output(nfx::image_port("image", "inverted image"))
      .param(nfx::bool_param("keep_alpha", true, "leave an alpha channel as it is"))
      .reentrant();
}
