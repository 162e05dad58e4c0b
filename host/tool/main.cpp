// The `nfx` command-line tool: run, validate, draw and inspect graphs; list plugins.
#include "inspect.hpp"
#include "isolate.hpp"
#include "progress_line.hpp"

#include <nfx/host.hpp>
#include <nfx/nfx.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace {

constexpr int kExitError = 1;
constexpr int kExitCancelled = 130;

std::atomic<bool>* g_cancel = nullptr;
volatile std::sig_atomic_t g_interrupts = 0;
unsigned g_stop_grace_s = 10;  // how long items in progress may take once a stop is asked
char g_stopping_message[160];  // written by the signal handler, so formatted beforehand

extern "C" void on_interrupt(int) {
  if (++g_interrupts > 1) _exit(kExitCancelled);  // second Ctrl-C: leave now (outputs are atomic)
  if (g_cancel != nullptr) g_cancel->store(true);
  (void)!write(STDERR_FILENO, g_stopping_message, std::strlen(g_stopping_message));
  if (g_stop_grace_s > 0) alarm(g_stop_grace_s);
}

// The grace period is over and an item still runs (a model that loops, a read that blocks): the process
// leaves. Outputs are written to a temporary file and renamed when complete, so nothing half-done appears.
extern "C" void on_stop_overdue(int) {
  const char message[] = "\nnfx: items still running when the grace period ended (--stop-grace); stopped without them\n";
  (void)!write(STDERR_FILENO, message, sizeof message - 1);
  _exit(kExitCancelled);
}

void handle_stop_signals(std::atomic<bool>& cancel, unsigned grace_s) {
  g_cancel = &cancel;
  g_stop_grace_s = grace_s;
  std::snprintf(g_stopping_message, sizeof g_stopping_message,
                grace_s > 0 ? "\nnfx: stopping after the items in progress (at most %u s; Ctrl-C again to quit at once)\n"
                            : "\nnfx: stopping after the items in progress (Ctrl-C again to quit at once)\n",
                grace_s);
  std::signal(SIGALRM, on_stop_overdue);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

// Loads plugins and reports refusals on stderr. Returns false when any was refused.
bool load_plugins(nfx::Host& host, bool quiet) {
  bool ok = true;
  for (const nfx::PluginLoadError& e : host.load_plugins()) {
    ok = false;
    if (!quiet) std::fprintf(stderr, "nfx: warning: plugin refused: %s: %s\n", e.path.c_str(), e.message.c_str());
  }
  return ok;
}

int report_graph_error(const nfx::GraphError& e) {
  for (const nfx::Diagnostic& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.str().c_str());
  std::fprintf(stderr, "nfx: %zu error%s in the graph; nothing was run\n", e.diagnostics().size(),
               e.diagnostics().size() == 1 ? "" : "s");
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nfx: fast normalizing flows and image pipelines, run from TOML graphs"};
  app.require_subcommand(1);
  app.fallthrough();
  std::vector<std::string> plugin_paths;
  bool verbose = false;
  app.add_option("--plugin-path", plugin_paths,
                 "Directory searched for plugins (nfx_*.so) before NFX_PLUGIN_PATH and the install directory")
      ->expected(1)
      ->take_all();
  app.add_flag("-v,--verbose", verbose, "Show info messages from nodes");
  nfx::GraphLimits graph_limits;
  app.add_option("--max-graph-bytes", graph_limits.file_bytes, "Largest graph file read (default 1 MiB)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-string-bytes", graph_limits.string_bytes,
                 "Largest string of a graph after ${variable} expansion (default 1 MiB)")
      ->check(CLI::PositiveNumber);

  std::string graph_file, node_type;
  std::vector<std::string> sets;
  int threads = 0;
  bool quiet = false, dot = false;

  CLI::App* run = app.add_subcommand("run", "Run a graph to the end of its items");
  run->add_option("graph", graph_file, "Graph file (.toml)")->required();
  run->add_option("--set", sets, "Override: NODE.PARAM=VALUE or VARIABLE=VALUE (repeatable)")->expected(1)->take_all();
  run->add_option("-j,--threads", threads, "Worker threads (default: every core)")->check(CLI::NonNegativeNumber);
  unsigned stop_grace_s = 10;
  run->add_option("--stop-grace", stop_grace_s,
                  "Seconds the items in progress may take after Ctrl-C or SIGTERM before nfx leaves without them "
                  "(default 10; 0: wait for them)");
  run->add_flag("-q,--quiet", quiet, "No progress line");
  bool isolate = true;
  int crash_report_fd = -1;
  std::vector<int64_t> exclude_items;
  run->add_flag("--isolate,!--no-isolate", isolate,
                "Run the nodes in a worker process (the default): a node that crashes is named with its item; with "
                "on_error = \"skip\" the run goes on without that item. --no-isolate runs them in this process, "
                "where a crash takes nfx down unnamed");
  run->add_option("--crash-report-fd", crash_report_fd)->group("");  // set for the worker
  run->add_option("--exclude-items", exclude_items)->delimiter(',')->group("");

  CLI::App* validate = app.add_subcommand("validate", "Check a graph without running it; list every error");
  validate->add_option("graph", graph_file, "Graph file (.toml)")->required();
  validate->add_option("--set", sets, "Override: NODE.PARAM=VALUE or VARIABLE=VALUE (repeatable)");

  CLI::App* plugins = app.add_subcommand("plugins", "List loaded plugins, their versions, ABI and node types");

  CLI::App* inspect = app.add_subcommand(
      "inspect", "Show a node type's ports and parameters, and what an instance reports (its model's parameter count)");
  inspect->add_option("node_type", node_type, "Node type id, e.g. io.resize");
  std::string inspect_graph;
  inspect->add_option("--graph", inspect_graph, "Instead of a type: create every node of this graph and show what each reports");
  inspect->add_option("--set", sets, "PARAM=VALUE for the type's instance; NODE.PARAM=VALUE or VARIABLE=VALUE with --graph")
      ->expected(1)
      ->take_all();

  CLI::App* graph = app.add_subcommand("graph", "Print a graph for Graphviz");
  graph->add_option("graph", graph_file, "Graph file (.toml)")->required();
  graph->add_option("--set", sets, "Override: NODE.PARAM=VALUE or VARIABLE=VALUE (repeatable)");
  graph->add_flag("--dot", dot, "Graphviz dot source (the only format for now)");

  CLI11_PARSE(app, argc, argv);
  if (crash_report_fd >= 0) {  // a worker of an isolated run
    // Processes it starts (plugin scanners) must not hold the supervisor's pipe open, and it must not
    // outlive the supervisor (it has a process group of its own, so a terminal's hang-up misses it).
    ::fcntl(crash_report_fd, F_SETFD, FD_CLOEXEC);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() == 1) return kExitError;  // the supervisor is already gone
  }
  if (*run && isolate && crash_report_fd < 0) {  // the worker runs with the same arguments
    const std::vector<std::string> worker_args(argv, argv + argc);
    try {
      return nfx::tool::run_isolated(worker_args);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "nfx: %s\n", e.what());
      return kExitError;
    }
  }

  nfx::HostOptions options;
  options.plugin_paths = plugin_paths;
  options.graph_limits = graph_limits;
  if (verbose) {
    options.log = [](nfx_log_level level, const std::string& source, const std::string& message) {
      static const char* names[] = {"debug", "info", "warning", "error"};
      std::fprintf(stderr, "%snfx: %s: %s%s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", names[level < 0 || level > 3 ? 3 : level],
                   source.empty() ? "" : ("[" + source + "] ").c_str(), message.c_str());
    };
  }
  nfx::Host host(options);

  try {
    if (*plugins) {
      bool ok = load_plugins(host, true);
      for (const nfx::PluginInfo& p : host.plugins()) {
        std::printf("%s %s (ABI %u.%u) %s\n  %s\n", p.name.c_str(), p.version.c_str(), p.abi_major, p.abi_minor,
                    p.path.empty() ? "[built into the host]" : p.path.c_str(), p.doc.c_str());
        for (const std::string& t : p.node_types) std::printf("    %s\n", t.c_str());
      }
      if (!ok) {
        for (const nfx::PluginLoadError& e : host.load_plugins()) {
          std::printf("refused: %s\n  %s\n", e.path.c_str(), e.message.c_str());
        }
      }
      return ok ? 0 : kExitError;
    }

    load_plugins(host, false);

    if (*inspect) {
      if (node_type.empty() == inspect_graph.empty()) {
        std::fprintf(stderr, "nfx: inspect takes a node type or --graph FILE (one of them)\n");
        return kExitError;
      }
      return node_type.empty() ? nfx::tool::inspect_graph(host, inspect_graph, sets)
                               : nfx::tool::inspect_type(host, node_type, sets);
    }

    nfx::Graph g = host.load_graph(graph_file, sets);
    if (*validate) {
      std::printf("%s: ok (%zu nodes)\n", graph_file.c_str(), g.node_ids().size());
      return 0;
    }
    if (*graph) {
      std::fputs(g.to_dot().c_str(), stdout);
      return 0;
    }

    handle_stop_signals(host.cancel_flag(), stop_grace_s);
    nfx::tool::ProgressLine line(stderr);
    nfx::RunOptions run_options;
    run_options.threads = threads;
    run_options.crash_report_fd = crash_report_fd;
    run_options.exclude_items = exclude_items;
    if (!quiet) run_options.on_progress = [&](const nfx::Progress& p) { line.update(p); };
    nfx::RunStats stats = g.run(run_options);
    if (!quiet) line.finish(stats);
    return 0;
  } catch (const nfx::GraphError& e) {
    return report_graph_error(e);
  } catch (const nfx::RunError& e) {
    std::fprintf(stderr, "\nnfx: %s\n", e.what());
    return e.status() == NFX_ERR_CANCELLED ? kExitCancelled : kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfx: %s\n", e.what());
    return kExitError;
  }
}
