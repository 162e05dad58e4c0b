#include "progress_line.hpp"

#include <string>
#include <unistd.h>

namespace nfx::tool {

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  const long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
  return buffer;
}

ProgressLine::ProgressLine(std::FILE* out) : out_(out), terminal_(isatty(fileno(out)) != 0) {}

void ProgressLine::update(const Progress& p) {
  const auto now = std::chrono::steady_clock::now();
  const auto interval = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (drawn_ && now - last_ < interval) return;
  last_ = now;
  drawn_ = true;
  const double rate = p.seconds > 0 ? p.items_done / p.seconds : 0;
  std::string line = "items " + std::to_string(p.items_done);
  if (p.items_total >= 0) line += "/" + std::to_string(p.items_total);
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "  %.1f items/s", rate);
  line += rate_text;
  line += "  elapsed " + format_duration(p.seconds);
  if (p.items_total >= 0 && rate > 0) line += "  left " + format_duration((p.items_total - p.items_done) / rate);
  if (!p.node.empty()) {
    char node_text[96];
    if (p.node_total > 0) std::snprintf(node_text, sizeof node_text, "  [%s %.0f%%]", p.node.c_str(), 100 * p.node_done / p.node_total);
    else std::snprintf(node_text, sizeof node_text, "  [%s %.0f]", p.node.c_str(), p.node_done);
    line += node_text;
  }
  if (terminal_) std::fprintf(out_, "\r\033[K%s", line.c_str());
  else std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void ProgressLine::finish(const RunStats& stats) {
  if (terminal_ && drawn_) std::fprintf(out_, "\r\033[K");
  const double rate = stats.seconds > 0 ? stats.items / stats.seconds : 0;
  std::fprintf(out_, "done: %lld items in %s (%.1f items/s)", static_cast<long long>(stats.items),
               format_duration(stats.seconds).c_str(), rate);
  if (stats.skipped > 0) {
    std::fprintf(out_, "; %lld skipped after errors (logged above)", static_cast<long long>(stats.skipped));
  }
  std::fprintf(out_, "\n");
  std::fflush(out_);
}

}  // namespace nfx::tool
