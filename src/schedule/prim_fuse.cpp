#include "ir/substitute.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_loops.h"

namespace weft::sched {

using namespace ir;

namespace {

// A reduction's init runs at its first reduction iteration, which stays first only
// while every loop feeds either spatial or reduction iterators of a block, never
// both. Fusing a spatial loop with a reduction loop would break that (TVM forbids
// it too), so it is refused.
void check_no_mixed_iterators(const std::vector<const ForNode*>& chain, const Stmt& outer) {
  VarSet fused;
  for (const ForNode* f : chain) fused.insert(f->loop_var.get());
  for (const Stmt& r : child_block_realizes(chain.back()->body)) {
    const auto& br = *r.as<BlockRealizeNode>();
    bool spatial = false, reduce = false;
    for (size_t i = 0; i < br.iter_values.size(); ++i) {
      if (!uses_any_var(br.iter_values[i], fused)) continue;
      (br.block->iter_vars[i].kind == IterKind::Spatial ? spatial : reduce) = true;
    }
    if (spatial && reduce)
      throw ScheduleError("fuse: the loops feed both spatial and reduction iterators of block '" + br.block->name +
                          "'; fuse spatial loops and reduction loops separately\n" + snippet(outer));
  }
}

}  // namespace

LoopRV fuse(Schedule& sch, const std::vector<LoopRV>& loop_rvs) {
  if (loop_rvs.size() < 2) throw ScheduleError("fuse: needs at least two loops, got " + std::to_string(loop_rvs.size()));
  std::vector<Var> vars;
  for (LoopRV l : loop_rvs) vars.push_back(sch.loop_var(l));
  LoopSite outer = *find_loop(sch.func(), vars[0].get());

  // Walk down: each loop must be the whole body of the previous one.
  std::vector<const ForNode*> chain{&outer.node()};
  for (size_t i = 1; i < vars.size(); ++i) {
    const auto* inner = chain.back()->body.as<ForNode>();
    if (!inner || inner->loop_var != vars[i])
      throw ScheduleError("fuse: loop " + vars[i]->name + " is not the only statement in the body of loop " +
                          chain.back()->loop_var->name + "; fuse needs perfectly nested loops, outermost first\n" +
                          snippet(outer.loop));
    chain.push_back(inner);
  }
  check_no_mixed_iterators(chain, outer.loop);
  DType type = vars[0]->dtype;
  for (const Var& v : vars)
    if (v->dtype != type) throw ScheduleError("fuse: loops " + vars[0]->name + " and " + v->name + " have different types");

  std::vector<int64_t> extents;
  int64_t total = 1;
  std::string name;
  for (const ForNode* f : chain) {
    extents.push_back(const_extent(*f, "fuse"));
    total *= extents.back();
    name += f->loop_var->name + "_";
  }
  Var fused = make_var(name + "fused", type);
  Expr fv = var_expr(fused);
  VarMap map;
  int64_t stride = 1;
  for (size_t i = chain.size(); i-- > 0;) {
    Expr idx = stride == 1 ? fv : floordiv(fv, int_imm(stride, type));
    if (i > 0) idx = floormod(idx, int_imm(extents[i], type));
    map[vars[i].get()] = idx;
    stride *= extents[i];
  }
  VarDomains domains = loop_domains(outer.outer_loops);
  domains[fused.get()] = Interval::from_extent(0, total);
  Stmt body = rewrite_bindings(chain.back()->body, map, domains);
  Stmt loop = make_for(fused, int_imm(total, type), ForKind::Serial, body);
  sch.set_func(replace_stmt(sch.func(), outer.loop.get(), loop));

  LoopRV out = sch.make_loop_rv(fused);
  Arg::List inputs;
  for (LoopRV l : loop_rvs) inputs.push_back(Arg(l));
  sch.record({"fuse", inputs, {}, {RV{RVKind::Loop, out.id}}, std::nullopt});
  return out;
}

namespace {
const RegisterInstruction kFuse({"fuse", RVKind::Loop, false, false,
                                 [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                    const std::optional<Arg>&) -> std::vector<RV> {
                                   ArgReader r("fuse", in, attrs);
                                   std::vector<LoopRV> loops;
                                   for (size_t i = 0; i < in.size(); ++i) loops.push_back(r.loop(i));
                                   return {RV{RVKind::Loop, fuse(sch, loops).id}};
                                 }});
}  // namespace

}  // namespace weft::sched
