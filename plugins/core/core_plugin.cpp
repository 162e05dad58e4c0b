// Plugin "core": tiny nodes for tests, benchmarks and wiring: a constant source, identity, a counter.
#include <nfx/nfx.hpp>

#include <atomic>
#include <sstream>

namespace {

// Emits `count` items, each a fresh float32 tensor of `shape` filled with `value`.
class Constant : public nfx::Node {
 public:
  explicit Constant(nfx::Params& p) : count_(p.get_int("count")), value_(p.get_float("value")) {
    const std::string shape = p.get_string("shape");
    std::stringstream s(shape);
    for (std::string dim; std::getline(s, dim, 'x');) {
      size_t used = 0;
      long long d = 0;
      try {
        d = std::stoll(dim, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != dim.size() || d <= 0) {
        throw nfx::ParamError("shape", "shape: every dimension must be a positive whole number, got \"" + shape + "\"");
      }
      shape_.push_back(d);
    }
    if (shape_.empty()) throw nfx::ParamError("shape", "shape: expected dimensions like \"1x3x8x8\"");
    try {
      nfx::tensor_bytes(nfx::dtype_f32(), shape_);  // refused here, at the parameter, not at the first item
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("shape", std::string("shape: ") + e.what(), e.status());
    }
  }
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() >= count_) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(count_);
    ctx.set_item_name("constant_" + std::to_string(ctx.item_index()));
    nfx::Tensor t(nfx::dtype_f32(), shape_);
    float* data = t.data<float>();
    for (int64_t i = 0, n = nfx::element_count(t.dl()); i < n; ++i) data[i] = static_cast<float>(value_);
    ctx.output(0, std::move(t));
  }

 private:
  int64_t count_;
  double value_;
  std::vector<int64_t> shape_;
};

// Passes its input on unchanged, sharing the data (no copy).
class Identity : public nfx::Node {
 public:
  explicit Identity(nfx::Params&) {}
  void process(nfx::Context& ctx) override { ctx.forward(0, 0); }
};

// Counts the items it sees and reports the total at the end of the run.
class Counter : public nfx::Node {
 public:
  explicit Counter(nfx::Params&) {}
  void process(nfx::Context&) override { count_.fetch_add(1, std::memory_order_relaxed); }
  void finish(nfx::Context& ctx) override {
    ctx.log(NFX_LOG_INFO, "counted " + std::to_string(count_.load()) + " items");
  }

 private:
  std::atomic<int64_t> count_{0};
};

}  // namespace

NFX_PLUGIN("core", "0.1.0", "Small nodes for wiring, tests and benchmarks") {
  plugin.node<Constant>("core.constant", "Emits `count` float32 tensors of a given shape filled with a value")
      .output(nfx::tensor_port("tensor", "the constant tensor", NFX_DTYPE_F32))
      .param(nfx::int_param("count", 1, "number of items to emit", 0, 1e12))
      .param(nfx::string_param("shape", "1x1x8x8", "dimensions separated by 'x', e.g. \"1x3x64x64\""))
      .param(nfx::float_param("value", 0.0, "value of every element"));
  plugin.node<Identity>("core.identity", "Passes its input on unchanged, without copying")
      .input(nfx::any_port("value", "any value"))
      .output(nfx::any_port("value", "the same value"))
      .reentrant();
  plugin.node<Counter>("core.counter", "Counts the items it receives; logs the total at the end")
      .input(nfx::any_port("value", "any value"))
      .reentrant();
}
