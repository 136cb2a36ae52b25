#include "rules/cuda_util.h"

#include <functional>

#include "ir/substitute.h"
#include "rules/rule_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/sampling.h"
#include "support/error.h"

namespace weft::rules::cuda {

using namespace ir;

namespace {

bool binds(const Stmt& s, const std::string& prefix) {
  if (const auto* f = s.as<ForNode>()) {
    if (f->for_kind == ForKind::ThreadBinding && f->thread_tag.rfind(prefix, 0) == 0) return true;
    return binds(f->body, prefix);
  }
  if (const auto* q = s.as<SeqStmtNode>()) {
    for (const Stmt& c : q->seq)
      if (binds(c, prefix)) return true;
    return false;
  }
  if (const auto* i = s.as<IfThenElseNode>()) return binds(i->then_case, prefix) || (i->else_case && binds(i->else_case, prefix));
  if (const auto* br = s.as<BlockRealizeNode>())
    return binds(br->block->body, prefix) || (br->block->init && binds(br->block->init, prefix));
  return false;
}

// The loop variable feeds only spatial iterators of the blocks under `body`.
bool feeds_only_spatial(const Var& var, const Stmt& body) {
  std::function<bool(const Stmt&)> walk = [&](const Stmt& s) {
    for (const Stmt& r : sched::child_block_realizes(s)) {
      const auto& br = *r.as<BlockRealizeNode>();
      for (size_t i = 0; i < br.iter_values.size(); ++i)
        if (br.block->iter_vars[i].kind == IterKind::Reduce && uses_var(br.iter_values[i], var)) return false;
      if (br.block->init && !walk(br.block->init)) return false;
      if (!walk(br.block->body)) return false;
    }
    return true;
  };
  return walk(body);
}

sched::BlockSite site_of_func(const PrimFunc& func, const std::string& name) {
  auto site = sched::find_block(func, name);
  if (!site) throw InternalError("cuda rules: block '" + name + "' is not in the program");
  return *site;
}

}  // namespace

bool under_thread_axis(const PrimFunc& func, const std::string& block_name, const std::string& prefix) {
  sched::BlockSite site = site_of_func(func, block_name);
  for (const Stmt& l : site.loops) {
    const ForNode& f = *l.as<ForNode>();
    if (f.for_kind == ForKind::ThreadBinding && f.thread_tag.rfind(prefix, 0) == 0) return true;
  }
  // Loops of enclosing blocks (a block nested in another block's body).
  Stmt parent = site.parent;
  while (parent) {
    const std::string& name = parent.as<BlockRealizeNode>()->block->name;
    auto outer = sched::find_block(func, name);
    if (!outer || !outer->parent) break;
    for (const Stmt& l : outer->loops) {
      const ForNode& f = *l.as<ForNode>();
      if (f.for_kind == ForKind::ThreadBinding && f.thread_tag.rfind(prefix, 0) == 0) return true;
    }
    parent = outer->parent;
  }
  return false;
}

bool nest_is_bound(const PrimFunc& func, const std::string& block_name) {
  sched::BlockSite site = site_of_func(func, block_name);
  if (site.loops.empty()) return false;
  return binds(site.loops[0], "blockIdx") || binds(site.loops[0], "threadIdx");
}

std::vector<Stmt> bindable_outer_loops(const PrimFunc& func, const std::string& block_name) {
  sched::BlockSite site = site_of_func(func, block_name);
  std::vector<Stmt> out;
  if (!site.parent || site.parent.as<BlockRealizeNode>()->block->name != func->root_block().name) return out;
  for (const Stmt& l : site.loops) {
    const ForNode& f = *l.as<ForNode>();
    if (f.for_kind != ForKind::Serial || !is_const_int(f.extent) || !feeds_only_spatial(f.loop_var, f.body)) break;
    out.push_back(l);
    if (f.body.as<ForNode>() == nullptr) break;  // fuse needs each loop to be the only statement
  }
  return out;
}

int64_t bindable_extent(const PrimFunc& func, const std::string& block_name) {
  std::vector<Stmt> loops = bindable_outer_loops(func, block_name);
  if (loops.empty()) return 0;
  int64_t product = 1;
  for (const Stmt& l : loops) {
    int64_t e = 1;
    is_const_int(l.as<ForNode>()->extent, &e);
    product *= e;
  }
  return product;
}

bool bind_block_thread(sched::Schedule& sch, const std::string& block_name, const sched::Arg& threads) {
  size_t count = bindable_outer_loops(sch.func(), block_name).size();
  if (count == 0) return false;
  sched::BlockRV block = sched::get_block(sch, block_name);
  std::vector<sched::LoopRV> loops = sched::get_loops(sch, block);
  loops.resize(count);
  sched::LoopRV fused = count > 1 ? sched::fuse(sch, loops) : loops[0];
  std::vector<sched::LoopRV> parts = sched::split(sch, fused, {sched::Arg(), threads});
  sched::bind(sch, parts[0], "blockIdx.x");
  sched::bind(sch, parts[1], "threadIdx.x");
  return true;
}

sched::ExprRV sample_thread_extent(sched::Schedule& sch, const std::vector<int64_t>& candidates, int64_t extent) {
  std::vector<int64_t> fitting;
  for (int64_t c : candidates)
    if (c <= extent) fitting.push_back(c);
  if (fitting.empty()) fitting.push_back(extent >= 1 ? extent : candidates.front());
  std::vector<double> probs(fitting.size(), 1.0 / static_cast<double>(fitting.size()));
  return sched::sample_categorical(sch, fitting, probs);
}

}  // namespace weft::rules::cuda
