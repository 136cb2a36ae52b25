// The registry of instruction kinds. Each primitive registers, in its own file, its
// name, the kind of handles it outputs, whether it is pure (no effect on the
// program), and how to apply it to a schedule from its recorded arguments. Text and
// JSON forms are generic over arguments, so printing and parsing need no per-kind code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "schedule/trace.h"

namespace weft::sched {

class Schedule;

using ApplyFn = std::function<std::vector<RV>(Schedule& sch, const std::vector<Arg>& inputs, const Attrs& attrs,
                                              const std::optional<Arg>& decision)>;

struct InstructionKind {
  std::string name;
  RVKind output_kind = RVKind::Loop;  // every output of one instruction has this kind
  bool pure = false;                  // lookups and sampling: removable when unused
  bool sampling = false;              // carries a decision
  ApplyFn apply;
};

void register_instruction(InstructionKind kind);
// Throws ScheduleError for an unknown name.
const InstructionKind& instruction_kind(const std::string& name);
bool has_instruction_kind(const std::string& name);
std::vector<std::string> instruction_kind_names();

struct RegisterInstruction {
  explicit RegisterInstruction(InstructionKind kind) { register_instruction(std::move(kind)); }
};

// Typed access to recorded arguments, with errors naming the instruction and the
// argument position: "split: argument 1 must be a loop, got block b0".
class ArgReader {
 public:
  ArgReader(const std::string& inst, const std::vector<Arg>& inputs, const Attrs& attrs)
      : inst_(inst), inputs_(inputs), attrs_(attrs) {}
  void expect_count(size_t n) const;
  void expect_count_at_least(size_t n) const;
  BlockRV block(size_t i) const;
  LoopRV loop(size_t i) const;
  int64_t integer(size_t i) const;
  std::string string(size_t i) const;
  const Arg::List& list(size_t i) const;
  const Arg& at(size_t i) const;
  // Named attributes.
  bool has(const std::string& key) const;
  const Arg& attr(const std::string& key) const;
  int64_t attr_int(const std::string& key) const;
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  std::string attr_string(const std::string& key) const;
  const Arg::List& attr_list(const std::string& key) const;

  static BlockRV as_block(const Arg& a, const std::string& what);
  static LoopRV as_loop(const Arg& a, const std::string& what);
  static ExprRV as_expr(const Arg& a, const std::string& what);
  static int64_t as_int(const Arg& a, const std::string& what);
  static double as_double(const Arg& a, const std::string& what);

 private:
  std::string where(size_t i) const;
  std::string inst_;
  const std::vector<Arg>& inputs_;
  const Attrs& attrs_;
};

}  // namespace weft::sched
