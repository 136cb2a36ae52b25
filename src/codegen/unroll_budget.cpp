#include "codegen/unroll_budget.h"

#include "ir/expr.h"

namespace weft::codegen {
namespace {

using namespace ir;

// Statement copies under `s` once the chosen loops are unrolled; chooses on the way up.
int64_t copies(const Stmt& s, int64_t max_copies, std::unordered_set<const ForNode*>& chosen) {
  if (!s) return 0;
  if (const auto* f = s.as<ForNode>()) {
    int64_t inner = copies(f->body, max_copies, chosen);
    int64_t trip = 0;
    if (f->for_kind == ForKind::Unrolled && is_const_int(f->extent, &trip) && trip > 0 &&
        trip * inner <= max_copies) {
      chosen.insert(f);
      return trip * inner;
    }
    return inner;  // a loop (vectorized ones included) is one copy of its body
  }
  if (const auto* q = s.as<SeqStmtNode>()) {
    int64_t sum = 0;
    for (const Stmt& c : q->seq) sum += copies(c, max_copies, chosen);
    return sum;
  }
  if (const auto* i = s.as<IfThenElseNode>())
    return copies(i->then_case, max_copies, chosen) + copies(i->else_case, max_copies, chosen);
  if (const auto* br = s.as<BlockRealizeNode>())
    return std::max<int64_t>(1, copies(br->block->body, max_copies, chosen) + copies(br->block->init, max_copies, chosen));
  return 1;  // a store
}

}  // namespace

std::unordered_set<const ForNode*> loops_to_unroll(const Stmt& body, int64_t max_copies) {
  std::unordered_set<const ForNode*> chosen;
  copies(body, max_copies, chosen);
  return chosen;
}

}  // namespace weft::codegen
