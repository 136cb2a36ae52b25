// Helpers of the CUDA search tests: a CUDA target and the check that every block
// of a program runs under blockIdx and threadIdx loops.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ir/printer.h"
#include "schedule/ir_nav.h"
#include "support/target.h"

namespace weft::search::testing {

inline Target cuda_target(const std::string& arch = "sm_90") {
  Target t;
  t.backend = "cuda";
  t.arch = arch;
  t.device = "test";
  return t;
}

// Every block but the root sits under a loop bound to blockIdx.* and one bound
// to threadIdx.* (loops of enclosing blocks count).
inline ::testing::AssertionResult every_block_bound(const ir::PrimFunc& f) {
  for (const std::string& name : sched::all_block_names(f)) {
    auto site = sched::find_block(f, name);
    if (!site->parent) continue;
    bool block = false, thread = false;
    for (auto s = site; s && s->parent;) {
      for (const ir::Stmt& l : s->loops) {
        const auto& loop = *l.as<ir::ForNode>();
        if (loop.for_kind != ir::ForKind::ThreadBinding) continue;
        block |= loop.thread_tag.rfind("blockIdx", 0) == 0;
        thread |= loop.thread_tag.rfind("threadIdx", 0) == 0;
      }
      s = sched::find_block(f, s->parent.as<ir::BlockRealizeNode>()->block->name);
    }
    if (!block || !thread)
      return ::testing::AssertionFailure() << "block '" << name << "' is not bound\n" << ir::to_text(f);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace weft::search::testing
