// rewrite-reduction-block: moves the init of every reduction block into its own
// block right before the block's first loop that feeds a reduction iterator, so
// the update loops run without the "first iteration?" test. A block whose
// reduction iterators no loop feeds (all of extent 1) keeps its init.
#include "ir/substitute.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_reduction.h"
#include "search/postprocess.h"

namespace weft::search {
namespace {

using namespace ir;

// Index of the outermost loop of `site` that feeds a reduction iterator, or -1.
int first_reduction_loop(const sched::BlockSite& site) {
  const auto& br = site.node();
  for (size_t l = 0; l < site.loops.size(); ++l) {
    const Var& var = site.loops[l].as<ForNode>()->loop_var;
    for (size_t i = 0; i < br.iter_values.size(); ++i)
      if (br.block->iter_vars[i].kind == IterKind::Reduce && uses_var(br.iter_values[i], var))
        return static_cast<int>(l);
  }
  return -1;
}

class RewriteReductionBlock : public Postprocessor {
 public:
  std::string name() const override { return "rewrite-reduction-block"; }
  void apply(sched::Schedule& sch, const Target&) const override {
    for (const std::string& name : sched::all_block_names(sch.func())) {
      auto site = sched::find_block(sch.func(), name);
      if (!site || !site->parent || !site->block().init) continue;
      int at = first_reduction_loop(*site);
      if (at < 0) continue;
      sched::BlockRV block = sched::get_block(sch, name);
      std::vector<sched::LoopRV> loops = sched::get_loops(sch, block);
      sched::decompose_reduction(sch, block, loops[at]);
    }
  }
};

}  // namespace

std::shared_ptr<const Postprocessor> make_rewrite_reduction_block() {
  return std::make_shared<RewriteReductionBlock>();
}

}  // namespace weft::search
