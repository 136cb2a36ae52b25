// random-compute-location: MetaSchedule's RandomComputeLocation. A block directly
// under the root that is not tiled, sits alone under its outermost loop and has a
// consumer gets a location drawn by sample_compute_location (a loop of its
// consumers, "root" to stay, or "inline") and is compute_at there. Producers that
// add-rfactor marked (the rfactor block) are placed the same way afterwards; they
// are collected first because moving the block may take their location away.
#include "rules/annotations.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/compute_location_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"

namespace weft::rules {
namespace {

using namespace ir;

bool applies(const sched::BlockSite& site) {
  if (is_root(site) || site.parent.as<BlockRealizeNode>()->block->name != "root") return false;
  if (site.loops.empty()) return false;
  if (sched::child_block_realizes(site.loops[0].as<ForNode>()->body).size() > 1) return false;
  if (has_annotation(site.block(), ann::kTilingStructure)) return false;
  return !consumers_of(site).empty();
}

void randomly_compute_at(sched::Schedule& s, sched::BlockRV block) {
  sched::LoopRV location = sched::sample_compute_location(s, block);
  sched::compute_at(s, block, location, true);
}

class RandomComputeLocation : public ScheduleRule {
 public:
  std::string name() const override { return "random-compute-location"; }
  std::string description() const override {
    return "compute an untiled block at a sampled loop of its consumers (or root, or inline)";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (is_root(site)) return {sch};
    bool move_block = applies(site);
    // An rfactor block is placed even when its consumer (often an output) stays.
    bool place_producers = has_annotation(site.block(), ann::kRandomComputeProducer);
    if (!move_block && !place_producers) return {sch};
    sched::Schedule out = sch;
    bool ok = try_transform(out, [&](sched::Schedule& s) {
      sched::BlockRV block = sched::get_block(s, block_name);
      std::vector<sched::BlockRV> producers;
      if (place_producers) {
        producers = sched::get_producers(s, block);
        sched::unannotate(s, sched::RV{sched::RVKind::Block, block.id}, ann::kRandomComputeProducer);
      }
      if (move_block) randomly_compute_at(s, block);
      for (sched::BlockRV p : producers) randomly_compute_at(s, p);
    });
    if (!ok) return {sch};
    return {out};
  }
};

const RegisterRule<RandomComputeLocation> kRegister;

}  // namespace
}  // namespace weft::rules
