#include "thread_pool.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

namespace nfx::detail {

ThreadPool::ThreadPool(int threads, ExceptionHandler on_exception) : on_exception_(std::move(on_exception)) {
  if (threads < 1) threads = 1;
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    try {
      workers_.emplace_back([this] { work(); });
    } catch (const std::system_error& e) {
      stop();  // joinable threads must not be destroyed
      throw std::runtime_error("cannot start worker thread " + std::to_string(i + 1) + " of " + std::to_string(threads) +
                               " (" + e.what() + "); use fewer threads (-j)");
    }
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void ThreadPool::submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ThreadPool::work() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task();
    } catch (...) {
      on_exception_(std::current_exception());
    }
  }
}

}  // namespace nfx::detail
