// auto-inline: inlines an elementwise-like producer into its consumers
// (compute_inline), as MetaSchedule's AutoInline with its CPU settings: the block
// writes one intermediate buffer, has no conditional (if / select: padding stays
// a separate block), calls no exp (recomputing it per consumer costs more than
// the memory it saves), and each read is indexed injectively and in order by the
// iterators that index the write (a transpose or a gather stays). A block with no
// reads (a constant tensor) is inlined regardless of the last three conditions.
#include <set>

#include "ir/functor.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"

namespace weft::rules {
namespace {

using namespace ir;

// Finds conditionals and exp calls in a block body.
class CostlyOrConditional : public IRVisitor {
 public:
  bool found = false;

 protected:
  void visit(const SelectNode& n, const Expr& e) override {
    found = true;
    IRVisitor::visit(n, e);
  }
  void visit(const CallNode& n, const Expr& e) override {
    if (n.func == Intrinsic::exp) found = true;
    IRVisitor::visit(n, e);
  }
  void visit(const IfThenElseNode& n, const Stmt& s) override {
    found = true;
    IRVisitor::visit(n, s);
  }
};

// Every read index is a constant or a write iterator, and the iterators of one
// read appear in the same order as in the write (so inlining neither duplicates
// nor permutes the producer's work).
bool injective_and_ordered(const BlockNode& b) {
  std::vector<const VarNode*> write_vars;
  for (const Range& r : b.writes[0].region) {
    if (is_const_int(r.min)) continue;
    const auto* v = r.min.as<VarNode>();
    if (!v) return false;
    write_vars.push_back(v);
  }
  for (const BufferRegion& read : b.reads) {
    size_t next = 0;
    for (const Range& r : read.region) {
      int64_t extent;
      if (!is_const_int(r.extent, &extent) || extent != 1) return false;
      if (is_const_int(r.min)) continue;
      const auto* v = r.min.as<VarNode>();
      if (!v) return false;
      size_t at = next;
      while (at < write_vars.size() && write_vars[at] != v) ++at;
      if (at == write_vars.size()) return false;
      next = at + 1;
    }
  }
  return true;
}

class AutoInline : public ScheduleRule {
 public:
  std::string name() const override { return "auto-inline"; }
  std::string description() const override {
    return "inline elementwise producers (injective, ordered, no select/exp) into their consumers";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (is_root(site)) return {sch};
    const BlockNode& b = site.block();
    if (b.writes.size() != 1 || writes_param(sch.func(), b) || consumers_of(site).empty()) return {sch};
    if (!b.reads.empty()) {
      CostlyOrConditional scan;
      scan.visit_stmt(b.body);
      if (b.init) scan.visit_stmt(b.init);
      if (scan.found || !injective_and_ordered(b)) return {sch};
    }
    sched::Schedule out = sch;
    if (!try_transform(out, [&](sched::Schedule& s) { sched::compute_inline(s, sched::get_block(s, block_name)); }))
      return {sch};
    return {out};
  }
};

const RegisterRule<AutoInline> kRegister;

}  // namespace
}  // namespace weft::rules
