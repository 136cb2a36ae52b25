// verify: the last postprocessor; rejects programs the CPU backend cannot run as
// intended: loops of non-constant extent, thread-bound loops, requests of
// parallelize-vectorize-unroll that were never rewritten.
#include "ir/functor.h"
#include "rules/annotations.h"
#include "search/postprocess.h"

namespace weft::search {
namespace {

using namespace ir;

class LoopChecker : public IRVisitor {
 public:
  bool cpu = true;
  std::string problem;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    if (!problem.empty()) return;
    if (!is_const_int(n.extent)) problem = "loop '" + n.loop_var->name + "' has a non-constant extent";
    else if (cpu && n.for_kind == ForKind::ThreadBinding)
      problem = "loop '" + n.loop_var->name + "' is bound to " + n.thread_tag + " on a CPU target";
    IRVisitor::visit(n, s);
  }
};

class Verify : public Postprocessor {
 public:
  std::string name() const override { return "verify"; }
  void apply(sched::Schedule& sch, const Target& target) const override {
    const BlockNode& root = sch.func()->root_block();
    for (const char* key : {rules::ann::kParallelExtent, rules::ann::kVectorizeBytes, rules::ann::kUnrollExplicit})
      if (root.annotations.count(key))
        throw VerificationError("the root block still carries the request '" + std::string(key) + "'");
    LoopChecker check;
    check.cpu = target.backend == "cpu";
    check.visit_stmt(sch.func()->body);
    if (!check.problem.empty()) throw VerificationError("function '" + sch.func()->name + "': " + check.problem);
  }
};

}  // namespace

std::shared_ptr<const Postprocessor> make_verify() { return std::make_shared<Verify>(); }

}  // namespace weft::search
