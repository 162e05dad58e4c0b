#include "process_threads.hpp"

#include <ATen/Parallel.h>

#include <omp.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace nfx::training::detail {

namespace {

struct Batch {
  size_t remaining = 0;
  std::condition_variable finished;
};

struct Job {
  const std::function<void()>* task;
  Batch* batch;
};

class ShareThreads {
 public:
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_.size();
  }

  void run(const std::vector<std::function<void()>>& tasks) {
    std::unique_lock<std::mutex> lock(mutex_);
    grow_to(tasks.size(), lock);
    if (threads_.empty()) {
      lock.unlock();
      for (const auto& task : tasks) task();
      return;
    }
    Batch batch;
    batch.remaining = tasks.size();
    for (const auto& task : tasks) jobs_.push_back({&task, &batch});
    work_.notify_all();
    batch.finished.wait(lock, [&] { return batch.remaining == 0; });
  }

 private:
  // Starts threads until there are `count` (or none more can be had), and waits until each has set itself
  // up. Otherwise a thread that another took the tasks from could still be in LibTorch's setup, which
  // rebuilds LibTorch's process-wide pool, when a short program exits and LibTorch tears that pool down
  // (seen: crashes and hangs at exit). Called with the lock held.
  void grow_to(size_t count, std::unique_lock<std::mutex>& lock) {
    while (threads_.size() < count) {
      try {
        threads_.emplace_back([this] { work(); });
        threads_.back().detach();  // lives as long as the process: the pool is never destroyed
      } catch (const std::system_error&) {
        break;
      }
    }
    set_up_.wait(lock, [this] { return ready_ == threads_.size(); });
  }

  void work() {
    at::internal::lazy_init_num_threads();  // LibTorch's own per-thread setup, before ours overrides it
    omp_set_num_threads(1);
    std::unique_lock<std::mutex> lock(mutex_);
    ++ready_;
    set_up_.notify_all();
    for (;;) {
      work_.wait(lock, [this] { return !jobs_.empty(); });
      const Job job = jobs_.front();
      jobs_.pop_front();
      lock.unlock();
      (*job.task)();
      lock.lock();
      if (--job.batch->remaining == 0) job.batch->finished.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable set_up_;
  size_t ready_ = 0;  // threads that have set themselves up
  std::deque<Job> jobs_;
  std::vector<std::thread> threads_;
};

ShareThreads& pool() {
  static ShareThreads* pool = new ShareThreads;  // never destroyed: its threads run until the process ends
  return *pool;
}

}  // namespace

void run_on_share_threads(const std::vector<std::function<void()>>& tasks) { pool().run(tasks); }

void set_thread_count_once(int threads) {
  static std::once_flag applied;  // once per process, whichever plugin calls first
  std::call_once(applied, [&] {
    if (at::get_num_threads() != threads) at::set_num_threads(threads);
  });
}

}  // namespace nfx::training::detail

namespace nfx::training {

size_t share_threads_started() { return detail::pool().size(); }

}  // namespace nfx::training
