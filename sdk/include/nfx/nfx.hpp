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

#include <nfx/nfx.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <new>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace nfx {

// The host API table given to init; set before any node runs.
inline const nfx_host_api*& host_api() {
  static const nfx_host_api* api = nullptr;
  return api;
}

// An exception with a status code. Any other std::exception maps to NFX_ERR_INTERNAL, except
// std::bad_alloc (NFX_ERR_OUT_OF_MEMORY) and std::invalid_argument (NFX_ERR_INVALID_ARGUMENT).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, nfx_status status = NFX_ERR_INVALID_ARGUMENT)
      : std::runtime_error(message), status_(status) {}
  nfx_status status() const { return status_; }

 private:
  nfx_status status_;
};

// An error about one parameter (e.g. values of two parameters that do not fit together): the host reports
// it at that parameter's line in the graph file (hosts of ABI 1.1 and later).
class ParamError : public Error {
 public:
  ParamError(std::string param, const std::string& message, nfx_status status = NFX_ERR_INVALID_ARGUMENT)
      : Error(message, status), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

// ---- DLPack helpers --------------------------------------------------------------------------------

inline DLDataType dtype_u8() { return DLDataType{kDLUInt, 8, 1}; }
inline DLDataType dtype_f32() { return DLDataType{kDLFloat, 32, 1}; }
inline DLDataType dtype_f64() { return DLDataType{kDLFloat, 64, 1}; }

inline bool same_dtype(DLDataType a, DLDataType b) {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}

// The NFX_DTYPE_* bit of a DLPack type, or 0 for a type nfx does not name.
inline nfx_dtype_mask dtype_bit(DLDataType t) {
  if (t.lanes != 1) return 0;
  switch (t.code) {
    case kDLUInt: return t.bits == 8 ? NFX_DTYPE_U8 : t.bits == 16 ? NFX_DTYPE_U16 : t.bits == 1 ? NFX_DTYPE_BOOL : 0;
    case kDLInt:
      return t.bits == 8 ? NFX_DTYPE_I8 : t.bits == 16 ? NFX_DTYPE_I16 : t.bits == 32 ? NFX_DTYPE_I32
           : t.bits == 64 ? NFX_DTYPE_I64 : 0;
    case kDLFloat: return t.bits == 16 ? NFX_DTYPE_F16 : t.bits == 32 ? NFX_DTYPE_F32 : t.bits == 64 ? NFX_DTYPE_F64 : 0;
    case kDLBfloat: return t.bits == 16 ? NFX_DTYPE_BF16 : 0;
    default: return 0;
  }
}

inline const char* kind_name(nfx_port_kind kind) {
  switch (kind) {
    case NFX_KIND_IMAGE: return "image";
    case NFX_KIND_TENSOR: return "tensor";
    case NFX_KIND_BOXES: return "boxes";
    case NFX_KIND_MASK: return "mask";
    case NFX_KIND_SCALAR: return "scalar";
    case NFX_KIND_TEXT: return "text";
    default: return "any";
  }
}

// "uint8|float32" for a mask of NFX_DTYPE_* bits; "any dtype" for 0.
inline std::string dtype_names(nfx_dtype_mask mask) {
  static const char* names[] = {"uint8", "int8", "uint16", "int16", "int32", "int64",
                                "float16", "bfloat16", "float32", "float64", "bool"};
  std::string s;
  for (int bit = 0; bit < 11; ++bit) {
    if (mask & (1u << bit)) s += (s.empty() ? "" : "|") + std::string(names[bit]);
  }
  return s.empty() ? "any dtype" : s;
}

// The name of one DLPack type ("float32"), or its code and bits when nfx has no name for it.
inline std::string dtype_name(DLDataType t) {
  const nfx_dtype_mask bit = dtype_bit(t);
  if (bit != 0) return dtype_names(bit);
  return "code" + std::to_string(t.code) + "x" + std::to_string(t.bits);
}

inline int64_t element_count(const DLTensor& t) {
  int64_t n = 1;
  for (int i = 0; i < t.ndim; ++i) n *= t.shape[i];
  return n;
}

// True when the tensor is dense row-major (strides absent or equal to the compact ones).
inline bool is_compact(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] != 1 && t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

// The elements of a tensor. Through a const tensor (every input is one) the elements are read-only.
template <typename T>
const T* data_ptr(const DLTensor& t) {
  return reinterpret_cast<const T*>(static_cast<const char*>(t.data) + t.byte_offset);
}
template <typename T>
T* data_ptr(DLTensor& t) {
  return reinterpret_cast<T*>(static_cast<char*>(t.data) + t.byte_offset);
}

// A tensor a node received: [read-only], since the producer and other consumers share its memory. Copy it
// (or make a new nfx::Tensor) to change values. Converts to const DLTensor& for helpers that read DLPack.
class TensorView {
 public:
  explicit TensorView(const DLTensor& tensor) : tensor_(&tensor) {}
  operator const DLTensor&() const { return *tensor_; }
  const DLTensor& dl() const { return *tensor_; }

  int ndim() const { return tensor_->ndim; }
  int64_t shape(int dim) const { return tensor_->shape[dim]; }
  DLDataType dtype() const { return tensor_->dtype; }
  int64_t size() const { return element_count(*tensor_); }
  template <typename T>
  const T* data() const { return data_ptr<T>(*tensor_); }

 private:
  const DLTensor* tensor_;
};

// The bytes of a compact tensor of `shape` and `dtype`; throws nfx::Error (NFX_ERR_OUT_OF_MEMORY) for a
// negative dimension or a size that does not fit in memory's address range (the product would wrap).
inline size_t tensor_bytes(DLDataType dtype, const std::vector<int64_t>& shape) {
  uint64_t bytes = (static_cast<uint64_t>(dtype.bits) * dtype.lanes + 7) / 8;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes) || bytes > static_cast<uint64_t>(PTRDIFF_MAX)) {
      std::string dims;
      for (int64_t x : shape) dims += (dims.empty() ? "" : "x") + std::to_string(x);
      throw Error("a tensor of shape " + dims + " is too large to allocate", NFX_ERR_OUT_OF_MEMORY);
    }
  }
  return static_cast<size_t>(bytes);
}

// An owned, compact CPU tensor allocated through the host, handed to the host with release().
class Tensor {
 public:
  Tensor() = default;
  Tensor(DLDataType dtype, std::vector<int64_t> shape) {
    const nfx_host_api* api = host_api();
    const size_t bytes = tensor_bytes(dtype, shape);
    auto* holder = new Holder;
    holder->shape = std::move(shape);
    holder->data = api ? api->alloc(bytes == 0 ? 1 : bytes, 64) : ::operator new(bytes == 0 ? 1 : bytes, std::nothrow);
    if (holder->data == nullptr) {
      delete holder;
      throw Error("out of memory: a tensor of " + std::to_string(bytes) + " bytes", NFX_ERR_OUT_OF_MEMORY);
    }
    DLTensor& t = holder->managed.dl_tensor;
    t.data = holder->data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = static_cast<int>(holder->shape.size());
    t.dtype = dtype;
    t.shape = holder->shape.data();
    t.strides = nullptr;
    t.byte_offset = 0;
    holder->managed.manager_ctx = holder;
    holder->managed.deleter = &Holder::deleter;
    managed_ = &holder->managed;
  }
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;
  Tensor(Tensor&& other) noexcept : managed_(std::exchange(other.managed_, nullptr)) {}
  Tensor& operator=(Tensor&& other) noexcept {
    if (this != &other) {
      reset();
      managed_ = std::exchange(other.managed_, nullptr);
    }
    return *this;
  }
  ~Tensor() { reset(); }

  const DLTensor& dl() const { return managed_->dl_tensor; }
  template <typename T>
  T* data() const { return static_cast<T*>(managed_->dl_tensor.data); }
  DLManagedTensor* release() { return std::exchange(managed_, nullptr); }

 private:
  struct Holder {
    DLManagedTensor managed{};
    std::vector<int64_t> shape;
    void* data = nullptr;
    static void deleter(DLManagedTensor* m) {
      auto* h = static_cast<Holder*>(m->manager_ctx);
      if (const nfx_host_api* api = host_api()) api->free(h->data); else ::operator delete(h->data);
      delete h;
    }
  };
  void reset() {
    if (managed_ != nullptr) managed_->deleter(managed_);
    managed_ = nullptr;
  }
  DLManagedTensor* managed_ = nullptr;
};

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
  static const void* extension(const char* id) {
    static const nfx_invertible_v1 invertible{sizeof(nfx_invertible_v1), &inverse, &log_det};
    static const nfx_trainable_v1 trainable{sizeof(nfx_trainable_v1), &save_state, &load_state};
    if constexpr (std::is_base_of_v<Invertible, T>) {
      if (std::strcmp(id, NFX_EXT_INVERTIBLE) == 0) return &invertible;
    }
    if constexpr (std::is_base_of_v<Trainable, T>) {
      if (std::strcmp(id, NFX_EXT_TRAINABLE) == 0) return &trainable;
    }
    return nullptr;
  }
};

}  // namespace detail

// ---- descriptor builders -----------------------------------------------------------------------

inline nfx_port_desc port(const char* name, nfx_port_kind kind, const char* doc, nfx_dtype_mask dtypes = 0,
                          int32_t rank = -1, uint32_t flags = 0) {
  return nfx_port_desc{name, doc, kind, dtypes, rank, flags};
}
inline nfx_port_desc image_port(const char* name, const char* doc) {
  return port(name, NFX_KIND_IMAGE, doc, NFX_DTYPE_U8, 3);
}
inline nfx_port_desc tensor_port(const char* name, const char* doc, nfx_dtype_mask dtypes = 0, int32_t rank = -1) {
  return port(name, NFX_KIND_TENSOR, doc, dtypes, rank);
}
inline nfx_port_desc any_port(const char* name, const char* doc) { return port(name, NFX_KIND_ANY, doc); }

inline nfx_param_desc bool_param(const char* name, bool def, const char* doc) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_BOOL;
  d.default_int = def ? 1 : 0;
  d.min = 1;
  d.max = 0;
  return d;
}
inline nfx_param_desc int_param(const char* name, int64_t def, const char* doc, double min = 1, double max = 0) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_INT;
  d.default_int = def;
  d.min = min;
  d.max = max;
  return d;
}
inline nfx_param_desc float_param(const char* name, double def, const char* doc, double min = 1, double max = 0) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_FLOAT;
  d.default_float = def;
  d.min = min;
  d.max = max;
  return d;
}
inline nfx_param_desc string_param(const char* name, const char* def, const char* doc, const char* choices = nullptr) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_STRING;
  d.default_string = def;
  d.min = 1;
  d.max = 0;
  d.choices = choices;
  return d;
}
inline nfx_param_desc required(nfx_param_desc d) {
  d.flags |= NFX_PARAM_REQUIRED;
  return d;
}

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
