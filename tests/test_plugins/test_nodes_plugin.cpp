// Plugin "test": nodes whose only purpose is to make the scheduler's guarantees observable.
#include <nfx/nfx.hpp>

#include <algorithm>
#include <sstream>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <new>
#include <thread>

namespace {

// Waits until `parties` instances with the same `name` are inside process at once; fails after
// timeout_ms. Two branches with a barrier each pass only if the scheduler runs them concurrently.
class Barrier : public nfx::Node {
 public:
  explicit Barrier(nfx::Params& p)
      : name_(p.get_string("name")), parties_(p.get_int("parties")), timeout_ms_(p.get_int("timeout_ms")) {}
  void process(nfx::Context& ctx) override {
    State& s = state(name_);
    std::unique_lock<std::mutex> lock(s.mutex);
    const int64_t generation = s.arrived / parties_;
    ++s.arrived;
    s.changed.notify_all();
    const bool met = s.changed.wait_for(lock, std::chrono::milliseconds(timeout_ms_),
                                        [&] { return s.arrived >= (generation + 1) * parties_; });
    if (!met) throw nfx::Error("barrier '" + name_ + "' timed out: the other branch never ran at the same time");
    ctx.forward(0, 0);
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    int64_t arrived = 0;
  };
  static State& state(const std::string& name) {
    static std::mutex m;
    static std::map<std::string, State> states;
    std::lock_guard<std::mutex> lock(m);
    return states[name];
  }
  std::string name_;
  int64_t parties_, timeout_ms_;
};

// Passes values on; at item `fail_at` fails the way `mode` says.
class Fail : public nfx::Node {
 public:
  explicit Fail(nfx::Params& p) : fail_at_(p.get_int("fail_at")), mode_(p.get_string("mode")) {}
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() == fail_at_) {
      if (mode_ == "nfx_error") throw nfx::Error("deliberate failure", NFX_ERR_IO);
      if (mode_ == "bad_alloc") throw std::bad_alloc();
      if (mode_ == "int") throw 42;
      if (mode_ == "segv") {  // a null dereference, as a buggy plugin makes one
        static int* volatile nowhere = nullptr;  // volatile: the compiler cannot know it is null
        *nowhere = 1;
      }
      if (mode_ == "stack_trace") {  // as LibTorch's c10::Error reads
        throw std::runtime_error("deliberate failure with a trace\nException raised from alloc at x.cpp:1\n"
                                 "frame #0: c10::Error::Error() + 0x1\nframe #1: at::empty() + 0x2\n");
      }
      throw std::runtime_error("deliberate runtime_error");
    }
    ctx.forward(0, 0);
  }

 private:
  int64_t fail_at_;
  std::string mode_;
};

// Sleeps, then passes the value on; polls cancellation while sleeping, unless `hang` (a model that loops).
class Slow : public nfx::Node {
 public:
  explicit Slow(nfx::Params& p) : ms_(p.get_int("ms")), hang_(p.get_bool("hang")) {}
  void process(nfx::Context& ctx) override {
    if (hang_) ctx.log(NFX_LOG_INFO, "hanging");  // a test waits for this before it asks the stop
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms_);
    while (std::chrono::steady_clock::now() < end) {
      if (!hang_ && ctx.cancelled()) throw nfx::Error("cancelled", NFX_ERR_CANCELLED);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ctx.forward(0, 0);
  }

 private:
  int64_t ms_;
  bool hang_;
};

// Not reentrant: fails if the host ever enters process twice at once. With `ordered`, also fails when
// items arrive out of order. Sleeps a little to widen any race.
class Guard : public nfx::Node {
 public:
  explicit Guard(nfx::Params& p) : check_order_(p.get_bool("check_order")) {}
  void process(nfx::Context& ctx) override {
    if (inside_.exchange(true)) throw nfx::Error("entered concurrently");
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    // Items skipped upstream (on_error = "skip") never arrive, so the order is checked, not the count.
    if (check_order_ && ctx.item_index() <= last_) {
      inside_ = false;
      throw nfx::Error("item " + std::to_string(ctx.item_index()) + " arrived after item " + std::to_string(last_));
    }
    last_ = ctx.item_index();
    inside_ = false;
  }

 private:
  bool check_order_;
  std::atomic<bool> inside_{false};
  int64_t last_ = -1;
};

// y = factor * x on scalars, invertible (x = y / factor) and trainable: its state is the factor, which
// grows by `growth` after every item, so a state carried across runs is observable.
class Scale : public nfx::Node, public nfx::Invertible, public nfx::Trainable, public nfx::Describable {
 public:
  explicit Scale(nfx::Params& p) : factor_(p.get_float("factor")), growth_(p.get_float("growth")) {
    if (factor_ == 0) throw nfx::ParamError("factor", "factor = 0 has no inverse");
  }
  void process(nfx::Context& ctx) override {
    ctx.output_scalar(0, factor_ * ctx.input_scalar(0));
    factor_ += growth_;
  }
  void inverse(nfx::Context& ctx) override { ctx.output_scalar(0, ctx.input_scalar(0) / factor_); }
  nfx::Tensor log_det(nfx::Context&) override {
    nfx::Tensor t(nfx::dtype_f64(), {1});
    t.data<double>()[0] = std::log(std::fabs(factor_));
    return t;
  }
  void save_state(nfx::Context&, const std::string& path) override {
    if (factor_ < 0) throw nfx::Error("a negative factor cannot be saved", NFX_ERR_INVALID_ARGUMENT);
    std::ofstream(path) << factor_ << "\n";
  }
  void load_state(nfx::Context&, const std::string& path) override {
    if (!(std::ifstream(path) >> factor_)) throw nfx::Error("no factor in " + path, NFX_ERR_IO);
  }
  std::vector<std::pair<std::string, std::string>> describe(nfx::Context&) override {
    if (factor_ < 0) throw nfx::Error("a negative factor cannot be described", NFX_ERR_INVALID_ARGUMENT);
    std::ostringstream factor, inverse;
    factor << factor_;
    inverse << 1 / factor_;
    return {{"factor", factor.str()}, {"inverse factor", inverse.str()}};
  }

 private:
  double factor_, growth_;
};

// Outputs the thread count the host gives the run (nfx_host_api.thread_count), seen in create and in process.
class Threads : public nfx::Node {
 public:
  explicit Threads(nfx::Params& p) : at_create_(p.thread_count()) {}
  void process(nfx::Context& ctx) override {
    if (ctx.thread_count() != at_create_) throw nfx::Error("thread count changed during the run");
    ctx.output_scalar(0, ctx.thread_count());
  }

 private:
  int at_create_;
};

// A source of 4 x 4 RGB images, one per name in `names` ('|'-separated), named exactly so.
class NamedImages : public nfx::Node {
 public:
  explicit NamedImages(nfx::Params& p) {
    std::stringstream s(p.get_string("names"));
    for (std::string name; std::getline(s, name, '|');) names_.push_back(name);
  }
  void process(nfx::Context& ctx) override {
    const auto i = static_cast<size_t>(ctx.item_index());
    if (i >= names_.size()) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_name(names_[i]);
    nfx::Tensor image(nfx::dtype_u8(), {4, 4, 3});
    std::fill_n(image.data<unsigned char>(), 48, static_cast<unsigned char>(40 * i));
    ctx.output(0, std::move(image));
  }

 private:
  std::vector<std::string> names_;
};

// Asks the host for more memory than an address space holds (a size whose rounding up would wrap) and
// outputs 1 when the host refused it with NULL.
class HugeAlloc : public nfx::Node {
 public:
  explicit HugeAlloc(nfx::Params&) {}
  void process(nfx::Context& ctx) override {
    void* p = nfx::host_api()->alloc(SIZE_MAX - 8, 64);
    nfx::host_api()->free(p);
    ctx.output_scalar(0, p == nullptr ? 1.0 : 0.0);
  }
};

}  // namespace

NFX_PLUGIN("test", "1.0.0", "Nodes for the host's own tests") {
  plugin.node<Barrier>("test.barrier", "Waits for `parties` concurrent callers with the same name")
      .input(nfx::any_port("value", "")).output(nfx::any_port("value", ""))
      .param(nfx::string_param("name", "b", "barrier name"))
      .param(nfx::int_param("parties", 2, "callers to wait for", 1, 64))
      .param(nfx::int_param("timeout_ms", 5000, "give up after", 1, 600000))
      .reentrant();
  plugin.node<Fail>("test.fail", "Fails at one item")
      .input(nfx::any_port("value", "")).output(nfx::any_port("value", ""))
      .param(nfx::int_param("fail_at", 0, "item index to fail at", -1, 1e9))
      .param(nfx::string_param("mode", "nfx_error", "how to fail", "nfx_error|runtime_error|bad_alloc|int|stack_trace|segv"))
      .reentrant();
  plugin.node<Slow>("test.slow", "Sleeps")
      .input(nfx::any_port("value", "")).output(nfx::any_port("value", ""))
      .param(nfx::int_param("ms", 10, "milliseconds", 0, 600000))
      .param(nfx::bool_param("hang", false, "ignore cancellation"))
      .reentrant();
  plugin.node<Guard>("test.guard", "Fails on concurrent entry (and, if asked, on out-of-order items)")
      .input(nfx::any_port("value", ""))
      .param(nfx::bool_param("check_order", false, "also require item order"));
  plugin.node<Guard>("test.ordered_guard", "test.guard declared NFX_NODE_ORDERED")
      .input(nfx::any_port("value", ""))
      .param(nfx::bool_param("check_order", true, "also require item order"))
      .ordered();
  plugin.node<Scale>("test.scale", "y = factor * x; invertible, trainable (the factor, which grows per item) and describable")
      .input(nfx::port("x", NFX_KIND_SCALAR, "")).output(nfx::port("y", NFX_KIND_SCALAR, ""))
      .param(nfx::float_param("factor", 2.0, "initial factor", -1e9, 1e9))
      .param(nfx::float_param("growth", 0.0, "added to the factor after each item", -1e9, 1e9));
  plugin.node<NamedImages>("test.named_images", "One 4 x 4 image per name in `names`, named so")
      .output(nfx::image_port("image", "")).param(nfx::string_param("names", "a.png", "names separated by '|'"));
  plugin.node<HugeAlloc>("test.huge_alloc", "1 when the host refuses an allocation of SIZE_MAX - 8 bytes")
      .input(nfx::any_port("value", "")).output(nfx::port("refused", NFX_KIND_SCALAR, ""));
  plugin.node<Threads>("test.threads", "The run's thread count, once per item")
      .input(nfx::any_port("value", "")).output(nfx::port("threads", NFX_KIND_SCALAR, ""));
}
