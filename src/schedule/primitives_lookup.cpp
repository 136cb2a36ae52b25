#include "schedule/primitives_lookup.h"

#include <functional>

#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

using namespace ir;

namespace {

std::vector<RV> as_rvs(const std::vector<BlockRV>& v) {
  std::vector<RV> out;
  for (BlockRV b : v) out.push_back({RVKind::Block, b.id});
  return out;
}

BlockSite site_of(const Schedule& sch, BlockRV rv) { return *find_block(sch.func(), sch.block_name(rv)); }

bool touches(const std::vector<BufferRegion>& regions, const Buffer& buffer) {
  for (const auto& r : regions)
    if (r.buffer == buffer) return true;
  return false;
}

// Siblings of `block` under its parent, filtered by `related(sibling)`.
std::vector<BlockRV> related_siblings(Schedule& sch, BlockRV rv, const char* inst,
                                      const std::function<bool(const BlockNode& me, const BlockNode& other)>& related) {
  BlockSite site = site_of(sch, rv);
  if (!site.parent) throw ScheduleError(std::string(inst) + ": the root block has no siblings");
  std::vector<BlockRV> out;
  const BlockNode& parent = *site.parent.as<BlockRealizeNode>()->block;
  for (const Stmt& s : child_block_realizes(parent.body)) {
    const BlockNode& other = *s.as<BlockRealizeNode>()->block;
    if (other.name != site.block().name && related(site.block(), other)) out.push_back(sch.make_block_rv(other.name));
  }
  return out;
}

}  // namespace

BlockRV get_block(Schedule& sch, const std::string& name) {
  if (!find_block(sch.func(), name)) {
    std::string known;
    for (const auto& n : all_block_names(sch.func())) known += (known.empty() ? "" : ", ") + n;
    throw ScheduleError("get_block: no block named '" + name + "' in '" + sch.func()->name + "' (blocks: " + known + ")");
  }
  BlockRV rv = sch.make_block_rv(name);
  sch.record({"get_block", {Arg(name)}, {}, {RV{RVKind::Block, rv.id}}, std::nullopt});
  return rv;
}

std::vector<LoopRV> get_loops(Schedule& sch, BlockRV block) {
  BlockSite site = site_of(sch, block);
  std::vector<LoopRV> out;
  std::vector<RV> outs;
  for (const Stmt& l : site.loops) {
    out.push_back(sch.make_loop_rv(l.as<ForNode>()->loop_var));
    outs.push_back({RVKind::Loop, out.back().id});
  }
  sch.record({"get_loops", {Arg(block)}, {}, outs, std::nullopt});
  return out;
}

std::vector<BlockRV> get_child_blocks(Schedule& sch, BlockRV block) {
  BlockSite site = site_of(sch, block);
  std::vector<BlockRV> out;
  for (const Stmt& s : child_block_realizes(site.block().body))
    out.push_back(sch.make_block_rv(s.as<BlockRealizeNode>()->block->name));
  sch.record({"get_child_blocks", {Arg(block)}, {}, as_rvs(out), std::nullopt});
  return out;
}

std::vector<BlockRV> get_producers(Schedule& sch, BlockRV block) {
  auto out = related_siblings(sch, block, "get_producers", [](const BlockNode& me, const BlockNode& other) {
    for (const auto& r : me.reads)
      if (touches(other.writes, r.buffer)) return true;
    return false;
  });
  sch.record({"get_producers", {Arg(block)}, {}, as_rvs(out), std::nullopt});
  return out;
}

std::vector<BlockRV> get_consumers(Schedule& sch, BlockRV block) {
  auto out = related_siblings(sch, block, "get_consumers", [](const BlockNode& me, const BlockNode& other) {
    for (const auto& w : me.writes)
      if (touches(other.reads, w.buffer)) return true;
    return false;
  });
  sch.record({"get_consumers", {Arg(block)}, {}, as_rvs(out), std::nullopt});
  return out;
}

namespace {

std::vector<RV> block_outputs(const std::vector<BlockRV>& v) { return as_rvs(v); }

const RegisterInstruction kGetBlock({"get_block", RVKind::Block, true, false,
                                     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                        const std::optional<Arg>&) -> std::vector<RV> {
                                       ArgReader r("get_block", in, attrs);
                                       r.expect_count(1);
                                       return {RV{RVKind::Block, get_block(sch, r.string(0)).id}};
                                     }});
const RegisterInstruction kGetLoops({"get_loops", RVKind::Loop, true, false,
                                     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                        const std::optional<Arg>&) {
                                       ArgReader r("get_loops", in, attrs);
                                       r.expect_count(1);
                                       std::vector<RV> out;
                                       for (LoopRV l : get_loops(sch, r.block(0))) out.push_back({RVKind::Loop, l.id});
                                       return out;
                                     }});
const RegisterInstruction kGetChildBlocks({"get_child_blocks", RVKind::Block, true, false,
                                           [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                              const std::optional<Arg>&) {
                                             ArgReader r("get_child_blocks", in, attrs);
                                             r.expect_count(1);
                                             return block_outputs(get_child_blocks(sch, r.block(0)));
                                           }});
const RegisterInstruction kGetProducers({"get_producers", RVKind::Block, true, false,
                                         [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                            const std::optional<Arg>&) {
                                           ArgReader r("get_producers", in, attrs);
                                           r.expect_count(1);
                                           return block_outputs(get_producers(sch, r.block(0)));
                                         }});
const RegisterInstruction kGetConsumers({"get_consumers", RVKind::Block, true, false,
                                         [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                            const std::optional<Arg>&) {
                                           ArgReader r("get_consumers", in, attrs);
                                           r.expect_count(1);
                                           return block_outputs(get_consumers(sch, r.block(0)));
                                         }});

}  // namespace
}  // namespace weft::sched
