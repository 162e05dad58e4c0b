// One object per concurrent user, for objects that are not thread-safe (OpenCV cascades, dlib
// detectors): a caller takes a free one or makes a new one, and gives it back when done.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace nfx::privacy {

template <typename T>
class InstancePool {
 public:
  explicit InstancePool(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {
    free_.push_back(make_());  // the first one now, so a bad model file fails at creation
  }

  template <typename F>
  auto with(F&& use) const {
    std::unique_ptr<T> object = take();
    struct GiveBack {
      const InstancePool* pool;
      std::unique_ptr<T>& object;
      ~GiveBack() {
        std::lock_guard<std::mutex> lock(pool->mutex_);
        pool->free_.push_back(std::move(object));
      }
    } give_back{this, object};
    return use(*object);
  }

 private:
  std::unique_ptr<T> take() const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<T> object = std::move(free_.back());
        free_.pop_back();
        return object;
      }
    }
    return make_();
  }

  std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<T>> free_;
};

}  // namespace nfx::privacy
