#include "schedule/schedule.h"

#include <set>
#include <sstream>

#include "ir/printer.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

Schedule::Schedule(ir::PrimFunc func, uint64_t seed) : func_(std::move(func)), rng_(seed) {}

Schedule Schedule::fork() {
  Schedule copy = *this;
  copy.rng_ = rng_.fork();
  return copy;
}

BlockRV Schedule::make_block_rv(const std::string& block_name) {
  int id = next_id_++;
  blocks_[id] = block_name;
  return BlockRV{id};
}

LoopRV Schedule::make_loop_rv(const ir::Var& loop_var) {
  int id = next_id_++;
  loops_[id] = loop_var;
  return LoopRV{id};
}

ExprRV Schedule::make_expr_rv(int64_t value) {
  int id = next_id_++;
  exprs_[id] = value;
  return ExprRV{id};
}

std::string Schedule::block_name(BlockRV rv) const {
  auto it = blocks_.find(rv.id);
  if (it == blocks_.end()) throw ScheduleError("unknown block handle b" + std::to_string(rv.id));
  if (!find_block(func_, it->second))
    throw ScheduleError("block b" + std::to_string(rv.id) + " (" + it->second + ") no longer exists");
  return it->second;
}

ir::Var Schedule::loop_var(LoopRV rv) const {
  auto it = loops_.find(rv.id);
  if (it == loops_.end()) throw ScheduleError("unknown loop handle l" + std::to_string(rv.id));
  if (!find_loop(func_, it->second.get()))
    throw ScheduleError("loop l" + std::to_string(rv.id) + " (" + it->second->name + ") no longer exists");
  return it->second;
}

int64_t Schedule::expr_value(ExprRV rv) const {
  auto it = exprs_.find(rv.id);
  if (it == exprs_.end()) throw ScheduleError("unknown value handle v" + std::to_string(rv.id));
  return it->second;
}

std::string Schedule::describe(RV rv) const {
  std::string name = std::string(1, rv_prefix(rv.kind)) + std::to_string(rv.id);
  switch (rv.kind) {
    case RVKind::Block:
      if (auto it = blocks_.find(rv.id); it != blocks_.end()) return "block " + name + " (" + it->second + ")";
      return "block " + name;
    case RVKind::Loop:
      if (auto it = loops_.find(rv.id); it != loops_.end()) return "loop " + name + " (" + it->second->name + ")";
      return "loop " + name;
    case RVKind::Expr:
      if (auto it = exprs_.find(rv.id); it != exprs_.end()) return "value " + name + " = " + std::to_string(it->second);
      return "value " + name;
  }
  return name;
}

static std::string fresh_name(const std::string& base, const std::set<std::string>& used) {
  if (!used.count(base)) return base;
  for (int k = 1;; ++k) {
    std::string candidate = base + "_" + std::to_string(k);
    if (!used.count(candidate)) return candidate;
  }
}

std::string Schedule::fresh_block_name(const std::string& base) const {
  auto names = all_block_names(func_);
  return fresh_name(base, std::set<std::string>(names.begin(), names.end()));
}

std::string Schedule::fresh_buffer_name(const std::string& base) const {
  std::set<std::string> used;
  for (const ir::Buffer& b : all_buffers(func_)) used.insert(b->name);
  return fresh_name(base, used);
}

std::string snippet(const ir::Stmt& stmt, int max_lines) {
  std::istringstream in(ir::to_text(stmt));
  std::string line, out;
  int n = 0;
  while (std::getline(in, line)) {
    if (n++ == max_lines) {
      out += "    ...\n";
      break;
    }
    out += "    " + line + "\n";
  }
  return out;
}

}  // namespace weft::sched
