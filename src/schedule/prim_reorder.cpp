#include <algorithm>
#include <set>

#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_loops.h"

namespace weft::sched {

using namespace ir;

void reorder(Schedule& sch, const std::vector<LoopRV>& loop_rvs) {
  if (loop_rvs.empty()) throw ScheduleError("reorder: needs at least one loop");
  std::vector<Var> vars;
  std::set<const VarNode*> wanted;
  for (LoopRV l : loop_rvs) {
    vars.push_back(sch.loop_var(l));
    if (!wanted.insert(vars.back().get()).second)
      throw ScheduleError("reorder: loop " + vars.back()->name + " is given twice");
  }
  // The outermost given loop is the one with the fewest loops above it.
  std::vector<LoopSite> sites;
  for (const Var& v : vars) sites.push_back(*find_loop(sch.func(), v.get()));
  const LoopSite& top = *std::min_element(sites.begin(), sites.end(), [](const LoopSite& a, const LoopSite& b) {
    return a.outer_loops.size() < b.outer_loops.size();
  });

  // Follow the perfect nest down from the top until every given loop is seen.
  std::vector<const ForNode*> chain{&top.node()};
  size_t seen = 1;
  while (seen < wanted.size()) {
    const auto* inner = chain.back()->body.as<ForNode>();
    if (!inner) {
      std::string missing;
      for (const Var& v : vars) {
        bool found = false;
        for (const ForNode* f : chain) found |= f->loop_var == v;
        if (!found) missing += (missing.empty() ? "" : ", ") + v->name;
      }
      throw ScheduleError("reorder: loops " + missing + " are not in the perfectly nested chain below loop " +
                          top.node().loop_var->name + " (each loop must be the only statement of the one above)\n" +
                          snippet(top.loop));
    }
    chain.push_back(inner);
    if (wanted.count(inner->loop_var.get())) ++seen;
  }

  // Slots of the chain holding given loops receive them in the requested order.
  std::vector<const ForNode*> order = chain;
  size_t next = 0;
  for (auto& slot : order)
    if (wanted.count(slot->loop_var.get())) {
      const Var& v = vars[next++];
      slot = *std::find_if(chain.begin(), chain.end(), [&](const ForNode* f) { return f->loop_var == v; });
    }
  Stmt body = chain.back()->body;
  for (size_t i = order.size(); i-- > 0;) body = with_body(*order[i], body);
  sch.set_func(replace_stmt(sch.func(), top.loop.get(), body));

  Arg::List inputs;
  for (LoopRV l : loop_rvs) inputs.push_back(Arg(l));
  sch.record({"reorder", inputs, {}, {}, std::nullopt});
}

namespace {
const RegisterInstruction kReorder({"reorder", RVKind::Loop, false, false,
                                    [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                       const std::optional<Arg>&) -> std::vector<RV> {
                                      ArgReader r("reorder", in, attrs);
                                      std::vector<LoopRV> loops;
                                      for (size_t i = 0; i < in.size(); ++i) loops.push_back(r.loop(i));
                                      reorder(sch, loops);
                                      return {};
                                    }});
}  // namespace

}  // namespace weft::sched
