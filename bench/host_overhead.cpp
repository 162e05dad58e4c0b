// The host's cost per node: a graph "constant -> N x core.identity -> counter" run for a batch of items,
// for N = 1 and N = 2000 in the same process. Per-node cost = (t(2000) - t(1)) / 1999 per item.
//
//   build/release/bin/bench_host_overhead --benchmark_format=json
//
// Threads: 1 (the scheduler's bookkeeping, not parallel speed-up, is what is measured).
#include <nfx/host.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

constexpr int kItems = 50;

std::string chain_graph(int length) {
  std::string toml = "[nodes.src]\ntype = \"core.constant\"\ncount = " + std::to_string(kItems) +
                     "\nshape = \"1x1x4x4\"\n";
  std::string previous = "src.tensor";
  for (int i = 0; i < length; ++i) {
    const std::string id = "n" + std::to_string(i);
    toml += "[nodes." + id + "]\ntype = \"core.identity\"\nin.value = \"" + previous + "\"\n";
    previous = id + ".value";
  }
  toml += "[nodes.sink]\ntype = \"core.counter\"\nin.value = \"" + previous + "\"\n";
  return toml;
}

nfx::Host& host() {
  static nfx::Host* h = [] {
    auto* created = new nfx::Host();
    created->load_plugins();
    return created;
  }();
  return *h;
}

void BM_IdentityChain(benchmark::State& state) {
  const int length = static_cast<int>(state.range(0));
  nfx::Graph graph = host().parse_graph(chain_graph(length), "chain.toml");
  nfx::RunOptions options;
  options.threads = 1;
  for (auto _ : state) {
    nfx::RunStats stats = graph.run(options);
    benchmark::DoNotOptimize(stats.items);
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  state.counters["nodes"] = length;
  state.counters["us_per_item"] = benchmark::Counter(static_cast<double>(state.iterations() * kItems),
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert,
                                                     benchmark::Counter::kIs1000);
}

}  // namespace

BENCHMARK(BM_IdentityChain)->Arg(1)->Arg(2000)->Unit(benchmark::kMillisecond)->MinTime(1.0);

BENCHMARK_MAIN();
