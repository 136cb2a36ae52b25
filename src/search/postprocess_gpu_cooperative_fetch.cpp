// rewrite-cooperative-fetch (see postprocess_gpu.h): spreads each shared-memory
// copy block that cuda-multi-level-tiling annotated over the threads of its
// thread block.
#include "rules/cuda_util.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "search/postprocess_gpu.h"

namespace weft::search {
namespace {

using namespace ir;

// The threadIdx.x extent above the block, from its own loops.
int64_t thread_extent_above(const sched::BlockSite& site) {
  for (const Stmt& l : site.loops) {
    const ForNode& f = *l.as<ForNode>();
    int64_t extent;
    if (f.for_kind == ForKind::ThreadBinding && f.thread_tag == "threadIdx.x" && is_const_int(f.extent, &extent))
      return extent;
  }
  return 0;
}

// How many of the block's innermost loops hold nothing but the block.
size_t own_loop_count(const sched::BlockSite& site) {
  size_t n = 0;
  for (size_t k = site.loops.size(); k-- > 0;) {
    const ForNode& f = *site.loops[k].as<ForNode>();
    if (f.for_kind != ForKind::Serial || sched::child_block_realizes(f.body).size() != 1) break;
    ++n;
  }
  return n;
}

class RewriteCooperativeFetch : public Postprocessor {
 public:
  std::string name() const override { return "rewrite-cooperative-fetch"; }
  void apply(sched::Schedule& sch, const Target&) const override {
    for (const std::string& name : sched::all_block_names(sch.func())) {
      auto site = sched::find_block(sch.func(), name);
      if (!site || !site->block().annotations.count(rules::cuda::kCooperativeFetch)) continue;
      const auto* vector = std::get_if<int64_t>(&site->block().annotations.at(rules::cuda::kCooperativeFetch));
      if (!vector || *vector < 1)
        throw VerificationError("block '" + name + "': cooperative_fetch must be a positive integer");
      int64_t threads = thread_extent_above(*site);
      if (threads == 0)
        throw VerificationError("block '" + name + "': a cooperative fetch needs a threadIdx.x loop above it");
      size_t own = own_loop_count(*site);
      sched::BlockRV block = sched::get_block(sch, name);
      sched::unannotate(sch, sched::RV{sched::RVKind::Block, block.id}, rules::cuda::kCooperativeFetch);
      if (own == 0) continue;  // a single element: every thread stores the same value
      std::vector<sched::LoopRV> loops = sched::get_loops(sch, block);
      std::vector<sched::LoopRV> mine(loops.end() - static_cast<std::ptrdiff_t>(own), loops.end());
      sched::LoopRV fused = mine.size() > 1 ? sched::fuse(sch, mine) : mine[0];
      int64_t extent = 1;
      for (size_t k = site->loops.size() - own; k < site->loops.size(); ++k) {
        int64_t e = 1;
        is_const_int(site->loops[k].as<ForNode>()->extent, &e);
        extent *= e;
      }
      if (*vector > 1 && extent % (threads * *vector) == 0) {
        std::vector<sched::LoopRV> parts =
            sched::split(sch, fused, {sched::Arg(), sched::Arg(threads), sched::Arg(*vector)});
        sched::bind(sch, parts[1], "threadIdx.x");
        sched::vectorize(sch, parts[2]);
      } else {
        std::vector<sched::LoopRV> parts = sched::split(sch, fused, {sched::Arg(), sched::Arg(threads)});
        sched::bind(sch, parts[1], "threadIdx.x");
      }
    }
  }
};

}  // namespace

std::shared_ptr<const Postprocessor> make_rewrite_cooperative_fetch() {
  return std::make_shared<RewriteCooperativeFetch>();
}

}  // namespace weft::search
