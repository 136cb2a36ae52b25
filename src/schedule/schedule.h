// A Schedule: the program being transformed, the table of handles (blocks by name,
// loops by their loop variable, integer values), a seeded RNG and the trace.
// Copying a schedule is cheap (the IR is immutable and shared) and deterministic.
//
// Primitives are free functions, one family per file (primitives_*.h); each checks
// legality before it changes anything, then swaps in the new program and records
// its instruction. A failed primitive leaves the schedule untouched.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/stmt.h"
#include "schedule/trace.h"
#include "support/rng.h"

namespace weft::sched {

class Schedule {
 public:
  explicit Schedule(ir::PrimFunc func, uint64_t seed = 0);

  const ir::PrimFunc& func() const { return func_; }
  const Trace& trace() const { return trace_; }
  Rng& rng() { return rng_; }
  // An independent copy whose RNG is forked from this one.
  Schedule fork();

  // ---- handles --------------------------------------------------------------------
  BlockRV make_block_rv(const std::string& block_name);
  LoopRV make_loop_rv(const ir::Var& loop_var);
  ExprRV make_expr_rv(int64_t value);
  // Resolve handles. Throw ScheduleError when the handle is unknown or what it named
  // no longer exists (e.g. a loop that was fused away).
  std::string block_name(BlockRV rv) const;
  ir::Var loop_var(LoopRV rv) const;
  int64_t expr_value(ExprRV rv) const;
  std::string describe(RV rv) const;  // "loop l3 (i_1)", for messages

  // ---- for primitives -------------------------------------------------------------
  void set_func(ir::PrimFunc func) { func_ = std::move(func); }
  void record(Instruction inst) { trace_.append(std::move(inst)); }
  // A block or buffer name not used in the program yet, derived from `base`.
  std::string fresh_block_name(const std::string& base) const;
  std::string fresh_buffer_name(const std::string& base) const;

 private:
  ir::PrimFunc func_;
  Rng rng_;
  Trace trace_;
  int next_id_ = 0;
  std::map<int, std::string> blocks_;
  std::map<int, ir::Var> loops_;
  std::map<int, int64_t> exprs_;
};

// Shows a statement for an error message, cut to a few lines.
std::string snippet(const ir::Stmt& stmt, int max_lines = 12);

}  // namespace weft::sched
