// Finding things in a PrimFunc and rebuilding it around a changed statement.
// Blocks are found by (unique) name, loops by their loop variable.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::sched {

// Where a block sits: its realize, the loops between it and its parent block
// (outermost first), and the parent block's realize (null for the root).
struct BlockSite {
  ir::Stmt realize;
  std::vector<ir::Stmt> loops;
  ir::Stmt parent;

  const ir::BlockRealizeNode& node() const { return *realize.as<ir::BlockRealizeNode>(); }
  const ir::BlockNode& block() const { return *node().block; }
};

// Where a loop sits: the loop, the loops above it up to its parent block, and that block.
struct LoopSite {
  ir::Stmt loop;
  std::vector<ir::Stmt> outer_loops;
  ir::Stmt parent;

  const ir::ForNode& node() const { return *loop.as<ir::ForNode>(); }
};

std::optional<BlockSite> find_block(const ir::PrimFunc& func, const std::string& name);
std::optional<LoopSite> find_loop(const ir::PrimFunc& func, const ir::VarNode* var);

// Block realizes in a subtree in program order (not descending into the blocks found).
std::vector<ir::Stmt> child_block_realizes(const ir::Stmt& stmt);
// Every block name in the function, in program order.
std::vector<std::string> all_block_names(const ir::PrimFunc& func);
// Every buffer (params and allocations).
std::vector<ir::Buffer> all_buffers(const ir::PrimFunc& func);

// Rebuilds `func` with `target` (found by identity) replaced by `replacement`.
// A null replacement removes the statement; loops and sequences left empty by the
// removal disappear too. Throws InternalError when `target` is not in `func`.
ir::PrimFunc replace_stmt(const ir::PrimFunc& func, const ir::StmtNode* target, ir::Stmt replacement);

// Rebuilds a block with some fields changed.
struct BlockEdit {
  std::optional<std::vector<ir::IterVar>> iter_vars;
  std::optional<std::vector<ir::BufferRegion>> reads, writes;
  std::optional<ir::Stmt> body, init;
  std::optional<std::vector<ir::Buffer>> alloc_buffers;
  std::optional<ir::Annotations> annotations;
  std::optional<std::string> name;
};
ir::Block edit_block(const ir::BlockNode& block, const BlockEdit& edit);
// Rebuilds a loop with a new body (kind, annotations and thread tag kept).
ir::Stmt with_body(const ir::ForNode& loop, ir::Stmt body);

}  // namespace weft::sched
