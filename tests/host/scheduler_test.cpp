// The scheduler's guarantees, made observable with the test plugin's nodes.
#include "test_support.hpp"

#include <nfx/nfx.hpp>

#include <atomic>
#include <thread>

using namespace nfx::test;

namespace {

struct Buffer {
  std::vector<float> data;
  std::vector<int64_t> shape;
  DLManagedTensor managed{};
  int* deleted = nullptr;
};

// A tensor over memory the test owns, so the test knows its address and sees when it is freed.
DLManagedTensor* make_tensor(int64_t n, int* deleted) {
  auto* b = new Buffer;
  b->data.assign(n, 1.5f);
  b->shape = {n};
  b->deleted = deleted;
  b->managed.dl_tensor.data = b->data.data();
  b->managed.dl_tensor.device = {kDLCPU, 0};
  b->managed.dl_tensor.ndim = 1;
  b->managed.dl_tensor.dtype = nfx::dtype_f32();
  b->managed.dl_tensor.shape = b->shape.data();
  b->managed.manager_ctx = b;
  b->managed.deleter = [](DLManagedTensor* m) {
    auto* buffer = static_cast<Buffer*>(m->manager_ctx);
    ++*buffer->deleted;
    delete buffer;
  };
  return &b->managed;
}

const char* kBranches = R"(
[nodes.src]
type = "core.constant"
count = 1
[nodes.left]
type = "test.barrier"
in.value = "src.tensor"
name = "branches"
timeout_ms = TIMEOUT
[nodes.right]
type = "test.barrier"
in.value = "src.tensor"
name = "branches"
timeout_ms = TIMEOUT
[nodes.left_sink]
type = "core.counter"
in.value = "left.value"
[nodes.right_sink]
type = "core.counter"
in.value = "right.value"
)";

std::string with_timeout(std::string toml, const std::string& ms) {
  for (size_t p; (p = toml.find("TIMEOUT")) != std::string::npos;) toml.replace(p, 7, ms);
  return toml;
}

}  // namespace

TEST(Scheduler, IndependentBranchesRunAtTheSameTime) {
  auto host = make_host();
  auto graph = host->parse_graph(with_timeout(kBranches, "20000"), "branches.toml");
  nfx::RunOptions options;
  options.threads = 2;
  // Each branch waits inside process until the other one is inside too: this only returns if the two
  // branches overlap in time.
  EXPECT_NO_THROW(graph.run(options));
}

TEST(Scheduler, BarrierReallyNeedsOverlap) {
  // The control for the test above: with one worker the branches cannot overlap and the barrier fails.
  auto host = make_host();
  auto graph = host->parse_graph(with_timeout(kBranches, "200"), "branches.toml");
  nfx::RunOptions options;
  options.threads = 1;
  EXPECT_THROW(graph.run(options), nfx::RunError);
}

TEST(Scheduler, TensorsPassBetweenNodesWithoutCopy) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.in]
type = "host.input"
[nodes.a]
type = "core.identity"
in.value = "in.value"
[nodes.b]
type = "core.identity"
in.value = "a.value"
[nodes.out]
type = "host.output"
in.value = "b.value"
)", "zero_copy.toml");
  int deleted = 0;
  DLManagedTensor* tensor = make_tensor(1000, &deleted);
  const void* original = tensor->dl_tensor.data;
  graph.feed("in", nfx::Value::tensor(NFX_KIND_TENSOR, tensor));
  std::vector<const void*> seen;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) { seen.push_back(e.value.dl()->data); };
  nfx::RunStats stats = graph.run(options);
  EXPECT_EQ(stats.items, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], original);  // same data pointer: no copy anywhere on the way
  EXPECT_EQ(deleted, 1);         // and the producer's deleter ran exactly once, after the run
}

TEST(Scheduler, FirstErrorStopsTheRunNamingNodeAndItem) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 1000
[nodes.fail]
type = "test.fail"
in.value = "src.tensor"
fail_at = 5
[nodes.count]
type = "core.counter"
in.value = "fail.value"
)", "fail.toml");
  // With one item in flight the source cannot run ahead, so exactly the five items before the failing one
  // finish. With more in flight, how many finish depends on when the OS runs the failing item's thread (a
  // loaded machine can park it while the other thread finishes every later item), so only the error is
  // checked.
  for (int in_flight : {1, 4}) {
    SCOPED_TRACE("items in flight: " + std::to_string(in_flight));
    int64_t done = 0;
    nfx::RunOptions options;
    options.threads = 2;
    options.max_items_in_flight = in_flight;
    options.on_progress = [&](const nfx::Progress& p) { done = p.items_done; };
    try {
      graph.run(options);
      FAIL() << "the run should fail";
    } catch (const nfx::RunError& e) {
      EXPECT_EQ(e.node(), "fail");
      EXPECT_EQ(e.item(), 5);
      EXPECT_EQ(e.item_name(), "constant_5");
      EXPECT_NE(std::string(e.what()).find("node 'fail' (test.fail), item 5 'constant_5': deliberate failure"),
                std::string::npos)
          << e.what();
    }
    if (in_flight == 1) EXPECT_EQ(done, 5);
    else EXPECT_GE(done, 5);  // the items before the failing one finished
  }
}

// on_error = "skip": the failing item is dropped, the others go on, and an ordered node after it still
// receives every other item in order.
TEST(Scheduler, OnErrorSkipDropsTheItemAndTheRunGoesOn) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 30
[nodes.fail]
type = "test.fail"
in.value = "src.tensor"
fail_at = 7
on_error = "skip"
[nodes.guard]
type = "test.ordered_guard"
in.value = "fail.value"
)", "skip.toml");
  nfx::RunOptions options;
  options.threads = 2;
  const nfx::RunStats stats = graph.run(options);
  EXPECT_EQ(stats.items, 29);
  EXPECT_EQ(stats.skipped, 1);
}

TEST(Scheduler, NonReentrantNodeNeverRunsTwiceAtOnce) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 60
[nodes.guard]
type = "test.guard"
in.value = "src.tensor"
)", "guard.toml");
  nfx::RunOptions options;
  options.threads = 4;
  EXPECT_NO_THROW(graph.run(options));
}

TEST(Scheduler, OrderedNodeSeesItemsInOrder) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 60
[nodes.a]
type = "test.slow"
in.value = "src.tensor"
ms = 1
[nodes.guard]
type = "test.ordered_guard"
in.value = "a.value"
)", "ordered.toml");
  nfx::RunOptions options;
  options.threads = 4;
  EXPECT_EQ(graph.run(options).items, 60);
}

TEST(Scheduler, CancelStopsSoonAndCanRunAgain) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 100000
[nodes.slow]
type = "test.slow"
in.value = "src.tensor"
ms = 5
[nodes.count]
type = "core.counter"
in.value = "slow.value"
)", "cancel.toml");
  nfx::RunOptions options;
  options.threads = 2;
  int64_t done = 0;
  options.on_progress = [&](const nfx::Progress& p) {
    done = p.items_done;
    if (p.items_done >= 10) host->cancel();
  };
  try {
    graph.run(options);
    FAIL() << "the run should be cancelled";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(e.status(), NFX_ERR_CANCELLED) << e.what();
  }
  EXPECT_LT(done, 100);
  host->reset_cancel();
  auto small = host->parse_graph("[nodes.src]\ntype = \"core.constant\"\ncount = 3\n", "again.toml");
  EXPECT_EQ(small.run({}).items, 3);
}

// An item that ignores the stop (a model that loops) does not keep an embedding program waiting: with a
// stop grace period, run() throws once it ends and leaves the item running (it would sleep 10 minutes);
// no output comes, the graph refuses to run again, and graph and host can go while the item still runs.
TEST(Scheduler, AStopGracePeriodLeavesAHungItemBehind) {
  nfx::HostOptions host_options;
  std::atomic<nfx::Host*> to_cancel{nullptr};
  host_options.log = [&](nfx_log_level, const std::string&, const std::string& message) {
    if (message == "hanging" && to_cancel.load() != nullptr) to_cancel.load()->cancel();
  };
  auto host = make_host(true, host_options);
  to_cancel = host.get();
  nfx::Graph graph = host->parse_graph("[nodes.src]\ntype = \"core.constant\"\ncount = 2\n"
                                       "[nodes.slow]\ntype = \"test.slow\"\nin.value = \"src.tensor\"\nms = 600000\nhang = true\n"
                                       "[nodes.out]\ntype = \"host.output\"\nin.value = \"slow.value\"\n",
                                       "hang.toml");
  nfx::RunOptions options;
  options.threads = 1;
  options.stop_grace_seconds = 0.5;
  options.on_output = [](const nfx::OutputEvent&) { ADD_FAILURE() << "no output may come from a stopped run"; };
  const auto error_of_run = [&] {
    try {
      graph.run(options);
    } catch (const nfx::RunError& e) {
      EXPECT_EQ(e.status(), NFX_ERR_CANCELLED);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string first = error_of_run();
  EXPECT_NE(first.find("items still running when the grace period ended (0.5 s after the stop was asked)"), std::string::npos) << first;
  const std::string second = error_of_run();
  EXPECT_NE(second.find("graph 'hang' cannot run again"), std::string::npos) << second;
  to_cancel = nullptr;
}

TEST(Scheduler, ProgressCountsEveryItemAndKnowsTheTotal) {
  auto host = make_host();
  auto graph = host->parse_graph("[nodes.src]\ntype = \"core.constant\"\ncount = 25\n", "p.toml");
  std::vector<nfx::Progress> seen;
  nfx::RunOptions options;
  options.on_progress = [&](const nfx::Progress& p) { seen.push_back(p); };
  options.threads = 2;
  EXPECT_EQ(graph.run(options).items, 25);
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].items_done, seen[i - 1].items_done);
  EXPECT_EQ(seen.back().items_done, 25);
  EXPECT_EQ(seen.back().items_total, 25);
}

TEST(Scheduler, RuntimeInputCheckNamesThePorts) {
  // host.input of kind tensor fed a uint8 tensor reaching io.to_image (float only) fails at run time with
  // both ports named, instead of the node reading memory of the wrong type.
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.in]
type = "host.input"
[nodes.img]
type = "io.to_image"
in.tensor = "in.value"
)", "check.toml");
  nfx::Tensor t(nfx::dtype_u8(), {1, 3, 4, 4});
  graph.feed("in", nfx::Value::tensor(NFX_KIND_TENSOR, t.release()));
  try {
    graph.run({});
    FAIL();
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("input 'tensor' from 'in.value': dtype uint8 is not accepted"),
              std::string::npos)
        << e.what();
  }
}

// The thread count a node is given: nfx run -j (RunOptions::threads) wins over [graph] threads, and the
// graph's setting over every core.
TEST(Scheduler, NodesAreGivenTheRunsThreadCount) {
  auto host = make_host();
  auto threads_seen = [&](const std::string& graph_table, int run_threads) {
    auto graph = host->parse_graph(graph_table + R"(
[nodes.in]
type = "host.input"
kind = "scalar"
[nodes.threads]
type = "test.threads"
in.value = "in.value"
[nodes.out]
type = "host.output"
in.value = "threads.threads"
)", "threads.toml");
    graph.feed("in", nfx::Value::scalar(0));
    double seen = -1;
    nfx::RunOptions options;
    options.threads = run_threads;
    options.on_output = [&](const nfx::OutputEvent& e) { seen = e.value.as_scalar(); };
    graph.run(options);
    return static_cast<int>(seen);
  };
  EXPECT_EQ(threads_seen("[graph]\nthreads = 3\n", 0), 3);
  EXPECT_EQ(threads_seen("[graph]\nthreads = 3\n", 2), 2);
  EXPECT_EQ(threads_seen("", 5), 5);
  EXPECT_EQ(threads_seen("", 0), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}
