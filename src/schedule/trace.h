// A trace is the program of a schedule: instructions (with their arguments and the
// handles they produce) and the decisions of sampling instructions. Its text form
// is the schedule language itself:
//
//   b0 = get_block("C")
//   l1, l2, l3 = get_loops(b0)
//   v4, v5 = sample_perfect_tile(l1, n=2, max_innermost=16) -> [8, 16]
//   l6, l7 = split(l1, [v4, v5])
//
// Handles are named by kind: b (block), l (loop), v (integer value), plus a number.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace weft::sched {

enum class RVKind : uint8_t { Block, Loop, Expr };
char rv_prefix(RVKind kind);  // 'b', 'l', 'v'

struct RV {
  RVKind kind;
  int id;
  bool operator==(const RV&) const = default;
};

struct BlockRV {
  int id = -1;
};
struct LoopRV {
  int id = -1;
};
struct ExprRV {
  int id = -1;
};

// An instruction argument: nothing, a handle, an integer, a float, a string or a list.
struct Arg {
  using List = std::vector<Arg>;
  std::variant<std::monostate, RV, int64_t, double, std::string, List> value;

  Arg() = default;
  Arg(RV rv) : value(rv) {}                                // NOLINT
  Arg(BlockRV b) : value(RV{RVKind::Block, b.id}) {}       // NOLINT
  Arg(LoopRV l) : value(RV{RVKind::Loop, l.id}) {}         // NOLINT
  Arg(ExprRV e) : value(RV{RVKind::Expr, e.id}) {}         // NOLINT
  Arg(int64_t i) : value(i) {}                             // NOLINT
  Arg(int i) : value(static_cast<int64_t>(i)) {}           // NOLINT
  Arg(double d) : value(d) {}                              // NOLINT
  Arg(std::string s) : value(std::move(s)) {}              // NOLINT
  Arg(const char* s) : value(std::string(s)) {}            // NOLINT
  Arg(List l) : value(std::move(l)) {}                     // NOLINT

  bool is_none() const { return std::holds_alternative<std::monostate>(value); }
  bool operator==(const Arg&) const = default;
};

using Attrs = std::vector<std::pair<std::string, Arg>>;

struct Instruction {
  std::string kind;
  std::vector<Arg> inputs;
  Attrs attrs;
  std::vector<RV> outputs;
  std::optional<Arg> decision;  // sampling instructions only
};

class Trace {
 public:
  const std::vector<Instruction>& instructions() const { return insts_; }
  void append(Instruction inst) { insts_.push_back(std::move(inst)); }
  size_t size() const { return insts_.size(); }

  // A copy whose instruction `index` (a sampling instruction) takes `decision`.
  Trace with_decision(size_t index, Arg decision) const;
  // A copy without instructions whose outputs nothing uses and that do not change
  // the program (lookups and sampling).
  Trace without_dead_instructions() const;

  std::string to_text() const;
  std::string to_json() const;  // {"version": 1, "instructions": [...]}
  // Errors are ParseError naming `input_name`, line and column (text) or the
  // instruction index (JSON).
  static Trace parse_text(const std::string& text, const std::string& input_name = "<trace>");
  static Trace parse_json(const std::string& json, const std::string& input_name = "<trace>");

 private:
  std::vector<Instruction> insts_;
};

std::string arg_to_text(const Arg& arg);

}  // namespace weft::sched
