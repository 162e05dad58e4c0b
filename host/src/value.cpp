// Value: what flows along an edge. Tensors are shared, never copied; the producer's deleter frees.
#include <nfx/host.hpp>

namespace nfx {

Value Value::tensor(nfx_port_kind kind, DLManagedTensor* tensor) {
  Value v;
  v.kind_ = kind == NFX_KIND_ANY ? NFX_KIND_TENSOR : kind;
  v.tensor_ = std::shared_ptr<DLManagedTensor>(tensor, [](DLManagedTensor* t) {
    if (t != nullptr && t->deleter != nullptr) t->deleter(t);
  });
  return v;
}

Value Value::scalar(double s) {
  Value v;
  v.kind_ = NFX_KIND_SCALAR;
  v.scalar_ = s;
  return v;
}

Value Value::text(std::string s) {
  Value v;
  v.kind_ = NFX_KIND_TEXT;
  v.text_ = std::move(s);
  return v;
}

}  // namespace nfx
