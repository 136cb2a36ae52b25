// How `weft tune` shows its progress: a per-task table (trials, failures, best
// latency and GFLOP/s) and a progress bar, redrawn in place on a terminal and
// printed once per batch otherwise.
#pragma once

#include <iosfwd>
#include <string>

#include "search/tuner.h"

namespace weft::cli {

std::string tune_table(const search::TuneProgress& progress);
std::string progress_bar(const search::TuneProgress& progress, int width = 30);

class TuneDisplay {
 public:
  explicit TuneDisplay(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  void update(const search::TuneProgress& progress);

 private:
  std::ostream& out_;
  bool terminal_;
  int lines_drawn_ = 0;
};

}  // namespace weft::cli
