#include "codegen/cuda_threads.h"

#include <unordered_map>
#include <vector>

#include "codegen/cuda_tensorcore.h"
#include "ir/functor.h"
#include "ir/substitute.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

bool is_block_tag(const std::string& tag) { return tag.rfind("blockIdx.", 0) == 0; }
bool is_thread_tag(const std::string& tag) { return tag.rfind("threadIdx.", 0) == 0; }

static int axis_of(const std::string& tag) { return tag.back() - 'x'; }

int64_t ThreadLayout::extent(const std::string& tag) const {
  if (is_block_tag(tag)) return launch.grid[axis_of(tag)];
  if (is_thread_tag(tag)) return launch.block[axis_of(tag)];
  return 1;
}

std::vector<std::string> ThreadLayout::launched(const std::string& kind) const {
  std::vector<std::string> tags;
  for (const char* axis : {".x", ".y", ".z"})
    if (extent(kind + axis) > 1) tags.push_back(kind + axis);
  return tags;
}

namespace {

class BindingCollector : public IRVisitor {
 public:
  explicit BindingCollector(const PrimFunc& func) : func_(func) {}
  std::map<std::string, int64_t> extents;
  std::vector<std::pair<const ForNode*, int64_t>> loops;
  // Loops nested in a loop bound to the same tag: that loop's extent.
  std::unordered_map<const ForNode*, int64_t> enclosing_extent;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    if (n.for_kind != ForKind::ThreadBinding || n.thread_tag.rfind("vthread.", 0) == 0) {
      IRVisitor::visit(n, s);
      return;
    }
    std::string where = "function '" + func_->name + "': loop '" + n.loop_var->name + "' bound to " + n.thread_tag;
    int64_t extent;
    if (!is_const_int(n.extent, &extent) || extent < 1)
      throw BuildError(where + " needs a constant extent of at least 1");
    const ForNode* same_axis = nullptr;  // the innermost enclosing loop bound to this tag
    for (const ForNode* outer : stack_) {
      if (outer->thread_tag == n.thread_tag) same_axis = outer;
      if (is_block_tag(n.thread_tag) && is_thread_tag(outer->thread_tag))
        throw BuildError(where + " is nested in loop '" + outer->loop_var->name + "' bound to " + outer->thread_tag +
                         " (blockIdx loops must enclose threadIdx loops)");
    }
    int axis = axis_of(n.thread_tag);
    int64_t limit = is_block_tag(n.thread_tag) ? kMaxGridDims[axis] : kMaxBlockDims[axis];
    if (extent > limit)
      throw BuildError(where + " has extent " + std::to_string(extent) + ", over the device limit of " +
                       std::to_string(limit));
    if (same_axis) check_same_axis_nesting(n, extent, *same_axis, where);
    int64_t& e = extents[n.thread_tag];
    e = std::max(e, extent);
    loops.emplace_back(&n, extent);
    if (same_axis) enclosing_extent[&n] = extent_of(*same_axis);
    stack_.push_back(&n);
    IRVisitor::visit(n, s);
    stack_.pop_back();
  }

 private:
  static int64_t extent_of(const ForNode& loop) {
    int64_t e = 0;
    is_const_int(loop.extent, &e);
    return e;
  }

  // A loop nested in `outer`, bound to the same tag, is the same hardware index
  // (TVM's semantics): it may not be larger, and its body may not depend on
  // `outer`'s variable, since the thread that runs iteration t of `outer` runs only
  // iteration t of this loop (the serial reading runs every pair).
  void check_same_axis_nesting(const ForNode& n, int64_t extent, const ForNode& outer, const std::string& where) const {
    std::string nested = where + " is nested in loop '" + outer.loop_var->name + "' bound to the same axis";
    if (extent > extent_of(outer))
      throw BuildError(nested + " with the smaller extent " + std::to_string(extent_of(outer)) +
                       ": both are the same thread index, so its iterations above that would need threads that do "
                       "not exist");
    if (vars_used(n.body).count(outer.loop_var.get()))
      throw BuildError(nested + " and its body uses that loop's variable '" + outer.loop_var->name +
                       "': both are the same thread index, so each thread would run only its own iteration of "
                       "both loops and the threads would cover part of the work (a shared stage must cover what "
                       "all threads of the enclosing loop read)");
  }

  const PrimFunc& func_;
  std::vector<const ForNode*> stack_;
};

}  // namespace

ThreadLayout analyze_threads(const PrimFunc& func) {
  BindingCollector c(func);
  c.visit_stmt(func->body);
  ThreadLayout layout;
  for (const auto& [tag, extent] : c.extents)
    (is_block_tag(tag) ? layout.launch.grid : layout.launch.block)[axis_of(tag)] = extent;
  if (uses_warp_intrinsics(func)) {
    auto x = c.extents.find("threadIdx.x");
    if (x != c.extents.end() && x->second != kWarpSize)
      throw BuildError("function '" + func->name + "' uses warp-level tensor intrinsics, so threadIdx.x is the " +
                       std::to_string(kWarpSize) + " lanes of a warp, but a loop binds it with extent " +
                       std::to_string(x->second) + " (bind warps to threadIdx.y/z)");
    layout.launch.block[0] = kWarpSize;
    layout.warp_lanes = true;
  }
  if (layout.launch.threads_per_block() > kMaxThreadsPerBlock) {
    std::string loops;
    for (const auto& [loop, extent] : c.loops)
      if (is_thread_tag(loop->thread_tag))
        loops += (loops.empty() ? "" : ", ") + loop->loop_var->name + " (" + loop->thread_tag + " = " +
                 std::to_string(extent) + ")";
    throw BuildError("function '" + func->name + "' needs " + std::to_string(layout.launch.threads_per_block()) +
                     " threads per block, over the limit of " + std::to_string(kMaxThreadsPerBlock) + "; loops " + loops);
  }
  // A nested same-tag loop runs inside its enclosing loop's guard: it is guarded
  // only when it is smaller than that loop.
  for (const auto& [loop, extent] : c.loops) {
    auto nested = c.enclosing_extent.find(loop);
    int64_t available = nested != c.enclosing_extent.end() ? nested->second : layout.extent(loop->thread_tag);
    if (extent < available) layout.guarded.insert(loop);
  }
  return layout;
}

}  // namespace weft::codegen
