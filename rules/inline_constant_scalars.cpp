// inline-constant-scalars: a block that stores a constant into a scalar (a buffer
// of rank 0) and reads nothing, e.g. `c[] = f32(0.5)`, is inlined into its readers,
// so the constant becomes an immediate instead of a memory load. Runs before
// auto-inline, which would otherwise have to reason about such blocks.
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"

namespace weft::rules {
namespace {

class InlineConstantScalars : public ScheduleRule {
 public:
  std::string name() const override { return "inline-constant-scalars"; }
  std::string description() const override {
    return "inline blocks that store a constant into a rank-0 buffer into their readers";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    const ir::BlockNode& b = site.block();
    bool constant_scalar = !is_root(site) && b.reads.empty() && b.writes.size() == 1 &&
                           b.writes[0].buffer->shape.empty() && !writes_param(sch.func(), b);
    if (!constant_scalar) return {sch};
    sched::Schedule out = sch;
    // compute_inline checks the rest (a single store, no other writer); if it
    // refuses, the block simply stays.
    if (!try_transform(out, [&](sched::Schedule& s) { sched::compute_inline(s, sched::get_block(s, block_name)); }))
      return {sch};
    return {out};
  }
};

const RegisterRule<InlineConstantScalars> kRegister;

}  // namespace
}  // namespace weft::rules
