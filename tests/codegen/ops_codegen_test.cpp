// Every op of the library, at several shapes (non-divisible ones included), compiles
// and matches the interpreter: once as built (serial loops), once with the outermost
// loop of each nest parallel (when it only binds spatial iterators) and the innermost
// vectorized. All variants go through one compiler call.
#include <gtest/gtest.h>

#include <set>

#include "codegen/codegen_test_util.h"
#include "codegen/cpp_emitter.h"
#include "ir/functor.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"

namespace weft::test {
namespace {

using namespace ir;

struct OpCase {
  std::string spec;
  double lo = -1, hi = 1;
};

std::vector<OpCase> op_cases() {
  std::vector<OpCase> cases;
  for (const char* shape : {"M=4,N=16", "M=7,N=13", "M=3,N=33"}) {
    for (const char* op : {"relu", "gelu", "gelu_tanh", "tanh", "sigmoid", "exp", "softmax", "bias_add"})
      cases.push_back({std::string(op) + ":" + shape});
    for (const char* op : {"log", "sqrt", "rsqrt"}) cases.push_back({std::string(op) + ":" + shape, 0.1, 2});
    cases.push_back({std::string("layernorm:") + shape});
  }
  for (const char* op : {"add", "sub", "mul", "maximum"})
    for (const char* bcast : {"none", "row", "col", "scalar"})
      cases.push_back({std::string(op) + ":M=7,N=13,bcast=" + bcast});
  for (const char* bcast : {"none", "row", "scalar"}) cases.push_back({std::string("div:M=7,N=13,bcast=") + bcast, 0.5, 2});
  for (const char* op : {"sum", "max", "mean"})
    for (const char* axes : {"001", "010", "100", "110", "111"})
      cases.push_back({std::string(op) + ":A=3,B=5,C=7,axes=" + axes});
  cases.push_back({"matmul:M=7,N=13,K=33"});
  cases.push_back({"matmul:M=16,N=16,K=8"});
  cases.push_back({"matmul:M=5,N=9,K=7,ta=1,tb=1"});
  cases.push_back({"batch_matmul:B=2,M=7,N=13,K=5"});
  cases.push_back({"batch_matmul:B=3,M=4,N=5,K=6,ta=1"});
  cases.push_back({"conv2d:N=1,H=7,W=7,C=3,K=4,R=3,S=3,pad=1,stride=2"});
  cases.push_back({"conv2d:N=2,H=9,W=6,C=5,K=3,R=2,S=3,dilation=2"});
  cases.push_back({"dense_bias_gelu:M=7,N=13,K=9"});
  cases.push_back({"dense_bias_relu:M=4,N=16,K=16"});
  // Other storage types.
  for (const char* dt : {"f16", "bf16", "f64"}) {
    cases.push_back({std::string("matmul:M=7,N=13,K=9,dtype=") + dt});
    cases.push_back({std::string("add:M=7,N=13,bcast=row,dtype=") + dt});
    cases.push_back({std::string("softmax:M=3,N=33,dtype=") + dt});
    cases.push_back({std::string("sum:A=3,B=5,C=7,axes=011,dtype=") + dt});
  }
  cases.push_back({"matmul:M=4,N=8,K=8,dtype=f16,out_dtype=f16"});
  cases.push_back({"gelu:M=7,N=13,dtype=bf16"});
  cases.push_back({"layernorm:M=3,N=33,dtype=f16"});
  return cases;
}

bool has_loop(const Stmt& s) {
  struct Finder : IRVisitor {
    bool found = false;
    void visit(const ForNode&, const Stmt&) override { found = true; }
  } f;
  f.visit_stmt(s);
  return f.found;
}

// True when `loop` feeds only spatial block iterators (so its iterations are independent).
bool binds_only_spatial(const ForNode& loop) {
  struct Checker : IRVisitor {
    const VarNode* var = nullptr;
    bool ok = true;
    void visit(const BlockRealizeNode& n, const Stmt& s) override {
      for (size_t i = 0; i < n.iter_values.size(); ++i) {
        struct Uses : IRVisitor {
          const VarNode* var;
          bool found = false;
          void visit(const VarNode& v, const Expr&) override { found |= &v == var; }
        } uses;
        uses.var = var;
        uses.visit_expr(n.iter_values[i]);
        if (uses.found && n.block->iter_vars[i].kind == IterKind::Reduce) ok = false;
      }
      IRVisitor::visit(n, s);
    }
  } c;
  c.var = loop.loop_var.get();
  c.visit_stmt(loop.body);
  return c.ok;
}

// A stand-in for a schedule: outermost loops parallel, innermost loops vectorized.
class ParallelVectorize : public IRMutator {
 protected:
  Stmt visit(const ForNode& n, const Stmt&) override {
    bool outermost = depth_ == 0;
    ++depth_;
    Stmt body = mutate(n.body);
    --depth_;
    ForKind kind = n.for_kind;
    if (!has_loop(n.body)) kind = ForKind::Vectorized;
    else if (outermost && binds_only_spatial(n)) kind = ForKind::Parallel;
    return make_for(n.loop_var, n.extent, kind, body, "", n.annotations);
  }

 private:
  int depth_ = 0;
};

PrimFunc parallel_vectorize(const PrimFunc& f) {
  ParallelVectorize m;
  return make_func(f->name, f->params, m.mutate(f->body));
}

// One test for all cases: ctest runs each test in its own process, and the
// compiler call for every op is the expensive part.
TEST(OpsCodegen, EveryOpMatchesTheInterpreter) {
  std::vector<OpCase> cases = op_cases();
  std::vector<runtime::NamedFunc> funcs;
  for (const OpCase& c : cases) {
    PrimFunc f = make_workload(c.spec).func;
    funcs.emplace_back(c.spec, f);
    funcs.emplace_back(c.spec + " [parallel+vectorized]", parallel_vectorize(f));
  }
  std::shared_ptr<runtime::CpuModule> module = runtime::CpuBuilder().build(funcs);
  for (const OpCase& c : cases)
    for (const std::string& name : {c.spec, c.spec + " [parallel+vectorized]"})
      EXPECT_EQ(compare_with_interpreter(module->get_function(name), 11, c.lo, c.hi), "");
}

TEST(OpsCodegenCoverage, EveryOpIsTested) {
  std::set<std::string> tested;
  for (const OpCase& c : op_cases()) tested.insert(c.spec.substr(0, c.spec.find(':')));
  for (const std::string& op : list_ops()) EXPECT_TRUE(tested.count(op)) << "op '" << op << "' has no codegen case";
}

TEST(OpsCodegenCoverage, VectorCodeIsExercised) {
  // The transformed elementwise ops must really produce vector code, not fallbacks.
  PrimFunc f = parallel_vectorize(make_workload("add:M=7,N=13").func);
  std::string src = codegen::emit_cpp(f, "k");
  EXPECT_NE(src.find("wrt::loadu<wrt::f32x8>"), std::string::npos) << src;
  EXPECT_NE(src.find("#pragma omp parallel for"), std::string::npos) << src;
  EXPECT_EQ(src.find("runs as scalar code"), std::string::npos) << src;
}

}  // namespace
}  // namespace weft::test
