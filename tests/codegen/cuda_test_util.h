// Helpers for the CUDA codegen tests: schedules written as trace text, statement
// lookup by loop or block name, and NVRTC availability.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ir/functor.h"
#include "ir/parser.h"
#include "ir/workload.h"
#include "runtime/nvrtc_builder.h"
#include "schedule/replay.h"
#include "schedule/trace.h"

namespace weft::test {

// The workload's function scheduled by `trace` (schedule language text).
inline ir::PrimFunc scheduled(const std::string& spec, const std::string& trace) {
  ir::PrimFunc f = ir::make_workload(spec).func;
  return sched::replay(sched::Trace::parse_text(trace, spec), f).func();
}

// The loop named `loop_name` (by its variable) or the realize of block `block_name`.
inline const ir::StmtNode* find_stmt(const ir::PrimFunc& f, const std::string& loop_name,
                                     const std::string& block_name = "") {
  struct Finder : ir::IRVisitor {
    std::string loop, block;
    const ir::StmtNode* found = nullptr;
    void visit(const ir::ForNode& n, const ir::Stmt& s) override {
      if (!loop.empty() && n.loop_var->name == loop && !found) found = s.get();
      IRVisitor::visit(n, s);
    }
    void visit(const ir::BlockRealizeNode& n, const ir::Stmt& s) override {
      if (!block.empty() && n.block->name == block && !found) found = s.get();
      IRVisitor::visit(n, s);
    }
  } finder;
  finder.loop = loop_name;
  finder.block = block_name;
  finder.visit_stmt(f->body);
  if (!finder.found) ADD_FAILURE() << "no loop '" << loop_name << "' / block '" << block_name << "'";
  return finder.found;
}

#define WEFT_SKIP_WITHOUT_NVRTC()                                                        \
  do {                                                                                   \
    if (!runtime::nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC"; \
  } while (0)

}  // namespace weft::test
