// rewrite-unbound-blocks (see postprocess_gpu.h): binds the top-level nests no
// rule bound, so every block runs threaded.
#include "rules/cuda_util.h"
#include "schedule/ir_nav.h"
#include "search/postprocess_gpu.h"

namespace weft::search {
namespace {

constexpr int64_t kThreads = 256;

class RewriteUnboundBlocks : public Postprocessor {
 public:
  std::string name() const override { return "rewrite-unbound-blocks"; }
  void apply(sched::Schedule& sch, const Target&) const override {
    const std::string root = sch.func()->root_block().name;
    for (const std::string& name : sched::all_block_names(sch.func())) {
      auto site = sched::find_block(sch.func(), name);
      if (!site || !site->parent || site->parent.as<ir::BlockRealizeNode>()->block->name != root) continue;
      if (site->loops.empty() || rules::cuda::nest_is_bound(sch.func(), name)) continue;
      int64_t extent = rules::cuda::bindable_extent(sch.func(), name);
      if (extent == 0) continue;  // verify-gpu-code names the block
      rules::cuda::bind_block_thread(sch, name, sched::Arg(std::min(extent, kThreads)));
    }
  }
};

}  // namespace

std::shared_ptr<const Postprocessor> make_rewrite_unbound_blocks() { return std::make_shared<RewriteUnboundBlocks>(); }

}  // namespace weft::search
