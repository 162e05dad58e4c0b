// Header-only C++ helpers for plugin authors, on top of the C ABI in nfx.h.
//
// A node is a small class:
//
//   class Brighten : public nfx::Node {
//    public:
//     explicit Brighten(nfx::Params& p) : gain_(p.get_float("gain")) {}
//     void process(nfx::Context& ctx) override { ... ctx.input(0) ... ctx.output(0, std::move(t)); }
//    private:
//     double gain_;
//   };
//
//   NFX_PLUGIN("demo", "1.0.0", "Demo nodes") {
//     plugin.node<Brighten>("demo.brighten", "Multiplies an image by a gain")
//         .input(nfx::image_port("image", "input image"))
//         .output(nfx::image_port("image", "brightened image"))
//         .param(nfx::float_param("gain", 1.0, "multiplier", 0.0, 10.0))
//         .reentrant();
//   }
//
// Every exception thrown by a node is caught at the ABI boundary and becomes a status code plus the
// exception's message; nfx::Error carries a specific status.
#ifndef NFX_NFX_HPP
#define NFX_NFX_HPP

#include <nfx/base.hpp>
#include <nfx/descriptors.hpp>
#include <nfx/nfx.h>
#include <nfx/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace nfx {

// ---- contexts ------------------------------------------------------------------------------------

inline void check(nfx_status status, const std::string& what) {
  if (status != NFX_OK) throw Error(what, status);
}

// True when the host's table has the function at `field` (appended in a later minor version).
#define NFX_HOST_HAS(api, field) ((api)->struct_size >= offsetof(nfx_host_api, field) + sizeof((api)->field))

// The threads the run may use (nfx run -j, [graph] threads, every core); hosts before 1.2: every core.
inline int thread_count(nfx_context* ctx) {
  const nfx_host_api* api = host_api();
  if (api != nullptr && NFX_HOST_HAS(api, thread_count)) return std::max(1, static_cast<int>(api->thread_count(ctx)));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// What a node sees during create: its parameters.
class Params {
 public:
  explicit Params(nfx_context* ctx) : ctx_(ctx) {}
  bool get_bool(const char* name) const {
    int32_t v = 0;
    check(host_api()->param_bool(ctx_, name, &v), std::string("no bool parameter '") + name + "'");
    return v != 0;
  }
  int64_t get_int(const char* name) const {
    int64_t v = 0;
    check(host_api()->param_int(ctx_, name, &v), std::string("no int parameter '") + name + "'");
    return v;
  }
  double get_float(const char* name) const {
    double v = 0;
    check(host_api()->param_float(ctx_, name, &v), std::string("no float parameter '") + name + "'");
    return v;
  }
  std::string get_string(const char* name) const {
    const char* v = nullptr;
    check(host_api()->param_string(ctx_, name, &v), std::string("no string parameter '") + name + "'");
    return v ? v : "";
  }
  std::string node_id() const { return host_api()->node_id(ctx_); }
  int thread_count() const { return nfx::thread_count(ctx_); }
  void log(nfx_log_level level, const std::string& message) const { host_api()->log(ctx_, level, message.c_str()); }
  nfx_context* raw() const { return ctx_; }

 private:
  nfx_context* ctx_;
};

// What a node sees during process: inputs, outputs, the current item, cancellation.
class Context {
 public:
  explicit Context(nfx_context* ctx) : ctx_(ctx) {}

  TensorView input(uint32_t port) const {
    const DLTensor* t = nullptr;
    check(host_api()->input_tensor(ctx_, port, &t), "input " + std::to_string(port) + " is not a tensor");
    return TensorView(*t);
  }
  bool has_input(uint32_t port) const {
    const DLTensor* t = nullptr;
    return host_api()->input_tensor(ctx_, port, &t) == NFX_OK && t != nullptr;
  }
  double input_scalar(uint32_t port) const {
    double v = 0;
    check(host_api()->input_scalar(ctx_, port, &v), "input " + std::to_string(port) + " is not a scalar");
    return v;
  }
  // An optional scalar input's value, or `fallback` where the port is not connected.
  double input_scalar_or(uint32_t port, double fallback) const {
    double v = 0;
    return host_api()->input_scalar(ctx_, port, &v) == NFX_OK ? v : fallback;
  }
  std::string input_text(uint32_t port) const {
    const char* v = nullptr;
    check(host_api()->input_text(ctx_, port, &v), "input " + std::to_string(port) + " is not text");
    return v;
  }
  void output(uint32_t port, Tensor&& tensor) const {
    check(host_api()->output_tensor(ctx_, port, tensor.release()), "cannot set output " + std::to_string(port));
  }
  void output_scalar(uint32_t port, double v) const {
    check(host_api()->output_scalar(ctx_, port, v), "cannot set output " + std::to_string(port));
  }
  void output_text(uint32_t port, const std::string& v) const {
    check(host_api()->output_text(ctx_, port, v.c_str()), "cannot set output " + std::to_string(port));
  }
  void forward(uint32_t output_port, uint32_t input_port) const {
    check(host_api()->forward_input(ctx_, output_port, input_port), "cannot forward input to output");
  }

  int64_t item_index() const { return host_api()->item_index(ctx_); }
  std::string item_name() const { return host_api()->item_name(ctx_); }
  void set_item_name(const std::string& name) const { host_api()->set_item_name(ctx_, name.c_str()); }
  void set_item_count(int64_t total) const { host_api()->set_item_count(ctx_, total); }
  void end_of_stream() const { host_api()->end_of_stream(ctx_); }

  bool cancelled() const { return host_api()->cancelled(ctx_) != 0; }
  void progress(double done, double total) const { host_api()->progress(ctx_, done, total); }
  void log(nfx_log_level level, const std::string& message) const { host_api()->log(ctx_, level, message.c_str()); }
  std::string node_id() const { return host_api()->node_id(ctx_); }
  int thread_count() const { return nfx::thread_count(ctx_); }
  nfx_context* raw() const { return ctx_; }

 private:
  nfx_context* ctx_;
};

// ---- nodes and extensions ----------------------------------------------------------------------

class Node {
 public:
  virtual ~Node() = default;
  virtual void process(Context& ctx) = 0;
  virtual void finish(Context& /*ctx*/) {}
};

// Mix in for NFX_EXT_INVERTIBLE: inputs and outputs swap roles in inverse().
class Invertible {
 public:
  virtual ~Invertible() = default;
  virtual void inverse(Context& ctx) = 0;
  virtual Tensor log_det(Context& ctx) = 0;
};

// Mix in for NFX_EXT_TRAINABLE.
class Trainable {
 public:
  virtual ~Trainable() = default;
  virtual void save_state(Context& ctx, const std::string& path) = 0;
  virtual void load_state(Context& ctx, const std::string& path) = 0;
};

// Mix in for NFX_EXT_DESCRIBABLE: facts about the instance (key, value) in the order shown.
class Describable {
 public:
  virtual ~Describable() = default;
  virtual std::vector<std::pair<std::string, std::string>> describe(Context& ctx) = 0;
};

namespace detail {

// What the user is shown of an exception: LibTorch's errors carry a C++ stack trace after the message
// (dozens of "frame #" lines), and nothing is longer than a few screen lines.
inline std::string user_message(const char* what) {
  std::string message = what != nullptr ? what : "";
  for (const char* trace : {"\nException raised from ", "\nframe #"}) {
    const size_t at = message.find(trace);
    if (at != std::string::npos) message.resize(at);
  }
  if (message.size() > 2000) message = message.substr(0, 2000) + "...";
  return message;
}

// Runs f, turning any exception into a status and an error message on ctx.
template <typename F>
nfx_status guarded(nfx_context* ctx, F&& f) noexcept {
  try {
    f();
    return NFX_OK;
  } catch (const ParamError& e) {
    const nfx_host_api* api = host_api();
    api->set_error(ctx, user_message(e.what()).c_str());
    if (NFX_HOST_HAS(api, set_error_param)) {
      api->set_error_param(ctx, e.param().c_str());
    }
    return e.status();
  } catch (const Error& e) {
    host_api()->set_error(ctx, user_message(e.what()).c_str());
    return e.status();
  } catch (const std::bad_alloc&) {
    host_api()->set_error(ctx, "out of memory");
    return NFX_ERR_OUT_OF_MEMORY;
  } catch (const std::invalid_argument& e) {
    host_api()->set_error(ctx, user_message(e.what()).c_str());
    return NFX_ERR_INVALID_ARGUMENT;
  } catch (const std::exception& e) {
    host_api()->set_error(ctx, user_message(e.what()).c_str());
    return NFX_ERR_INTERNAL;
  } catch (...) {
    host_api()->set_error(ctx, "unknown exception");
    return NFX_ERR_INTERNAL;
  }
}

template <typename T>
struct Trampolines {
  static nfx_status create(nfx_context* ctx, void** instance) {
    return guarded(ctx, [&] {
      Params params(ctx);
      *instance = static_cast<Node*>(new T(params));
    });
  }
  static nfx_status process(void* instance, nfx_context* ctx) {
    return guarded(ctx, [&] {
      Context c(ctx);
      static_cast<Node*>(instance)->process(c);
    });
  }
  static nfx_status finish(void* instance, nfx_context* ctx) {
    return guarded(ctx, [&] {
      Context c(ctx);
      static_cast<Node*>(instance)->finish(c);
    });
  }
  static void destroy(void* instance) { delete static_cast<Node*>(instance); }

  static nfx_status inverse(void* instance, nfx_context* ctx) {
    return guarded(ctx, [&] {
      Context c(ctx);
      dynamic_cast<Invertible&>(*static_cast<Node*>(instance)).inverse(c);
    });
  }
  static nfx_status log_det(void* instance, nfx_context* ctx, DLManagedTensor** value) {
    return guarded(ctx, [&] {
      Context c(ctx);
      *value = dynamic_cast<Invertible&>(*static_cast<Node*>(instance)).log_det(c).release();
    });
  }
  static nfx_status save_state(void* instance, nfx_context* ctx, const char* path) {
    return guarded(ctx, [&] {
      Context c(ctx);
      dynamic_cast<Trainable&>(*static_cast<Node*>(instance)).save_state(c, path);
    });
  }
  static nfx_status load_state(void* instance, nfx_context* ctx, const char* path) {
    return guarded(ctx, [&] {
      Context c(ctx);
      dynamic_cast<Trainable&>(*static_cast<Node*>(instance)).load_state(c, path);
    });
  }
  static nfx_status describe(void* instance, nfx_context* ctx, nfx_fact_fn fact, void* user) {
    return guarded(ctx, [&] {
      Context c(ctx);
      for (const auto& [key, value] : dynamic_cast<Describable&>(*static_cast<Node*>(instance)).describe(c)) {
        fact(user, key.c_str(), value.c_str());
      }
    });
  }
  static const void* extension(const char* id) {
    static const nfx_invertible_v1 invertible{sizeof(nfx_invertible_v1), &inverse, &log_det};
    static const nfx_trainable_v1 trainable{sizeof(nfx_trainable_v1), &save_state, &load_state};
    static const nfx_describable_v1 describable{sizeof(nfx_describable_v1), &describe};
    if constexpr (std::is_base_of_v<Invertible, T>) {
      if (std::strcmp(id, NFX_EXT_INVERTIBLE) == 0) return &invertible;
    }
    if constexpr (std::is_base_of_v<Trainable, T>) {
      if (std::strcmp(id, NFX_EXT_TRAINABLE) == 0) return &trainable;
    }
    if constexpr (std::is_base_of_v<Describable, T>) {
      if (std::strcmp(id, NFX_EXT_DESCRIBABLE) == 0) return &describable;
    }
    return nullptr;
  }
};

}  // namespace detail


// Builds one node type; its storage lives in the PluginBuilder (static for the plugin's life).
class NodeTypeBuilder {
 public:
  NodeTypeBuilder& input(nfx_port_desc p) { inputs_.push_back(p); return sync(); }
  NodeTypeBuilder& output(nfx_port_desc p) { outputs_.push_back(p); return sync(); }
  NodeTypeBuilder& param(nfx_param_desc p) { params_.push_back(p); return sync(); }
  NodeTypeBuilder& reentrant() { type_.flags |= NFX_NODE_REENTRANT; return *this; }
  NodeTypeBuilder& ordered() { type_.flags |= NFX_NODE_ORDERED; return *this; }
  const nfx_node_type* type() const { return &type_; }

 private:
  friend class PluginBuilder;
  NodeTypeBuilder& sync() {
    type_.input_count = static_cast<uint32_t>(inputs_.size());
    type_.inputs = inputs_.data();
    type_.output_count = static_cast<uint32_t>(outputs_.size());
    type_.outputs = outputs_.data();
    type_.param_count = static_cast<uint32_t>(params_.size());
    type_.params = params_.data();
    return *this;
  }
  nfx_node_type type_{};
  std::vector<nfx_port_desc> inputs_;
  std::vector<nfx_port_desc> outputs_;
  std::vector<nfx_param_desc> params_;
};

class PluginBuilder {
 public:
  PluginBuilder(const char* name, const char* version, const char* doc) {
    descriptor_.abi_major = NFX_ABI_MAJOR;
    descriptor_.abi_minor = NFX_ABI_MINOR;
    descriptor_.struct_size = sizeof(nfx_plugin_descriptor);
    descriptor_.name = name;
    descriptor_.version = version;
    descriptor_.doc = doc;
    descriptor_.init = &init;
  }

  template <typename T>
  NodeTypeBuilder& node(const char* id, const char* doc) {
    static_assert(std::is_base_of_v<Node, T>, "a node class derives from nfx::Node");
    static_assert(std::is_constructible_v<T, Params&>, "a node class has a constructor taking nfx::Params&");
    NodeTypeBuilder& b = nodes_.emplace_back();
    b.type_.struct_size = sizeof(nfx_node_type);
    b.type_.id = id;
    b.type_.doc = doc;
    b.type_.create = &detail::Trampolines<T>::create;
    b.type_.process = &detail::Trampolines<T>::process;
    b.type_.finish = &detail::Trampolines<T>::finish;
    b.type_.destroy = &detail::Trampolines<T>::destroy;
    b.type_.extension = &detail::Trampolines<T>::extension;
    b.type_.port_size = sizeof(nfx_port_desc);
    b.type_.param_size = sizeof(nfx_param_desc);
    return b;
  }

  const nfx_plugin_descriptor* descriptor() {
    table_.clear();
    for (const NodeTypeBuilder& b : nodes_) table_.push_back(b.type());
    descriptor_.node_type_count = static_cast<uint32_t>(table_.size());
    descriptor_.node_types = table_.data();
    return &descriptor_;
  }

 private:
  static nfx_status init(const nfx_host_api* api) {
    // Any 1.x host: every function appended after 1.0 is called only after checking struct_size.
    if (api == nullptr || api->abi_major != NFX_ABI_MAJOR || api->struct_size < offsetof(nfx_host_api, set_error_param)) {
      return NFX_ERR_UNSUPPORTED;
    }
    host_api() = api;
    return NFX_OK;
  }
  nfx_plugin_descriptor descriptor_{};
  std::deque<NodeTypeBuilder> nodes_;  // deque: builders keep their address as nodes are added
  std::vector<const nfx_node_type*> table_;
};

}  // namespace nfx

// Defines nfx_plugin_entry. The body that follows registers node types on `plugin` (a PluginBuilder);
// it runs once, on the first call, and must stay cheap.
#define NFX_PLUGIN(NAME, VERSION, DOC)                                                   \
  static void nfx_register_nodes(::nfx::PluginBuilder& plugin);                          \
  extern "C" NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) {            \
    static const nfx_plugin_descriptor* descriptor = [] {                                \
      static ::nfx::PluginBuilder builder(NAME, VERSION, DOC);                           \
      nfx_register_nodes(builder);                                                       \
      return builder.descriptor();                                                       \
    }();                                                                                 \
    return descriptor;                                                                   \
  }                                                                                      \
  static void nfx_register_nodes(::nfx::PluginBuilder& plugin)

#endif  // NFX_NFX_HPP
