// sample_compute_location: draw where a block is computed, among the loops where
// compute_at is legal, "root" and (when legal) "inline". As in TVM it returns a
// loop handle and changes nothing; a later compute_at takes the handle.
#include <functional>

#include "schedule/compute_location_impl.h"
#include "schedule/compute_location_util.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/primitives_compute_location.h"

namespace weft::sched {

using namespace ir;

namespace {

// Loops of the block's scope (not inside other blocks), in program order.
std::vector<Var> scope_loops(const BlockSite& site) {
  std::vector<Var> out;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    if (const auto* f = s.as<ForNode>()) {
      out.push_back(f->loop_var);
      walk(f->body);
    } else if (const auto* q = s.as<SeqStmtNode>()) {
      for (const Stmt& c : q->seq) walk(c);
    } else if (const auto* i = s.as<IfThenElseNode>()) {
      walk(i->then_case);
      if (i->else_case) walk(i->else_case);
    }
  };
  walk(site.parent.as<BlockRealizeNode>()->block->body);
  return out;
}

template <typename F>
bool legal(F&& transform) {
  try {
    transform();
    return true;
  } catch (const ScheduleError&) {
    return false;
  }
}

}  // namespace

LoopRV sample_compute_location(Schedule& sch, BlockRV block, std::optional<int64_t> decision) {
  namespace cl = compute_location;
  std::string name = sch.block_name(block);
  BlockSite site = *find_block(sch.func(), name);
  if (!site.parent) throw ScheduleError("sample_compute_location: the root block has no compute location");
  std::vector<Var> candidates;
  for (const Var& v : scope_loops(site))
    if (legal([&] { cl::compute_at_func(sch.func(), name, v, false); })) candidates.push_back(v);
  bool can_inline = legal([&] { cl::compute_inline_func(sch.func(), name); });

  int64_t choice;
  if (decision) {
    choice = *decision;
    bool ok = (choice >= 0 && choice < static_cast<int64_t>(candidates.size())) || choice == cl::kComputeRoot ||
              (choice == cl::kComputeInline && can_inline);
    if (!ok) {
      std::string names;
      for (const Var& v : candidates) names += (names.empty() ? "" : ", ") + v->name;
      throw ScheduleError("sample_compute_location: decision " + std::to_string(choice) + " is not a location of block '" +
                          name + "' (candidate loops: [" + names + "], -1: root" +
                          (can_inline ? ", -2: inline" : ", inlining is not legal") + ")");
    }
  } else {
    std::vector<int64_t> choices = {cl::kComputeRoot};
    if (can_inline) choices.push_back(cl::kComputeInline);
    for (size_t i = 0; i < candidates.size(); ++i) choices.push_back(static_cast<int64_t>(i));
    choice = choices[sch.rng().uniform_int(0, static_cast<int64_t>(choices.size()) - 1)];
  }
  const Var& var = choice == cl::kComputeRoot     ? cl::root_sentinel()
                   : choice == cl::kComputeInline ? cl::inline_sentinel()
                                                  : candidates[choice];
  LoopRV out = sch.make_loop_rv(var);
  sch.record({"sample_compute_location", {Arg(block)}, {}, {RV{RVKind::Loop, out.id}}, Arg(choice)});
  return out;
}

namespace {
const RegisterInstruction kSampleComputeLocation(
    {"sample_compute_location", RVKind::Loop, true, true,
     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs, const std::optional<Arg>& decision) {
       ArgReader r("sample_compute_location", in, attrs);
       r.expect_count(1);
       std::optional<int64_t> dec;
       if (decision) dec = ArgReader::as_int(*decision, "sample_compute_location: decision");
       LoopRV l = sample_compute_location(sch, r.block(0), dec);
       return std::vector<RV>{{RVKind::Loop, l.id}};
     }});
}  // namespace

}  // namespace weft::sched
