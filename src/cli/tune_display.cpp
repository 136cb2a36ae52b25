#include "cli/tune_display.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace weft::cli {

std::string tune_table(const search::TuneProgress& progress) {
  size_t width = 4;
  for (const auto& t : progress.tasks) width = std::max(width, t.spec.size());
  std::string out = fmt::format("{:<{}}  {:>6}  {:>6}  {:>6}  {:>12}  {:>9}\n", "task", width, "weight", "trials",
                                "failed", "best (us)", "GFLOP/s");
  for (const auto& t : progress.tasks) {
    std::string best = std::isinf(t.best_us) ? "-" : fmt::format("{:.2f}", t.best_us);
    std::string gflops = std::isinf(t.best_us) ? "-" : fmt::format("{:.2f}", t.best_gflops);
    out += fmt::format("{:<{}}  {:>6g}  {:>6}  {:>6}  {:>12}  {:>9}{}\n", t.spec, width, t.weight, t.trials,
                       t.failures, best, gflops, t.exhausted ? "  (space exhausted)" : "");
  }
  return out;
}

std::string progress_bar(const search::TuneProgress& progress, int width) {
  double frac = progress.trials_wanted > 0 ? std::min(1.0, static_cast<double>(progress.trials_done) /
                                                               progress.trials_wanted)
                                           : 1.0;
  int filled = static_cast<int>(frac * width + 0.5);
  return fmt::format("[{}{}] {}/{} trials ({} this run), {:.1f} s", std::string(static_cast<size_t>(filled), '#'),
                     std::string(static_cast<size_t>(width - filled), '-'), progress.trials_done,
                     progress.trials_wanted, progress.trials_this_run, progress.elapsed_s);
}

void TuneDisplay::update(const search::TuneProgress& progress) {
  std::string text = tune_table(progress) + progress_bar(progress) + "\n";
  if (terminal_ && lines_drawn_ > 0) out_ << "\x1b[" << lines_drawn_ << "F\x1b[J";  // back to the table's top
  out_ << text << std::flush;
  lines_drawn_ = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace weft::cli
