// A fixed set of worker threads taking tasks from one queue. No exception leaves a worker: a task that
// throws is handed to the pool's exception handler, and the worker goes on.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nfx::detail {

class ThreadPool {
 public:
  using ExceptionHandler = std::function<void(std::exception_ptr)>;
  // Throws std::runtime_error, with every thread it started joined again, when a thread cannot be started.
  ThreadPool(int threads, ExceptionHandler on_exception);
  ~ThreadPool();  // finishes queued tasks, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> task);
  int size() const { return static_cast<int>(workers_.size()); }

 private:
  void work();
  void stop();
  ExceptionHandler on_exception_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace nfx::detail
