// Workload specs: canonical form, error messages (with the 1-based column at
// fault), op listing and descriptions, and flop counts.
#include <gtest/gtest.h>

#include <algorithm>

#include "ir/workload.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

// The UsageError message `spec` produces; fails the test if it builds.
std::string error_of(const std::string& spec) {
  try {
    make_workload(spec);
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected UsageError for '" << spec << "'";
  return "";
}

std::string canonical(const std::string& spec) { return make_workload(spec).spec; }

}  // namespace

// ---- canonical spec ----------------------------------------------------------------

TEST(WorkloadSpec, CanonicalFillsDefaultsInDeclaredOrder) {
  EXPECT_EQ(canonical("matmul:M=64,N=64,K=64"), "matmul:M=64,N=64,K=64,ta=0,tb=0,dtype=f32,out_dtype=f32");
  EXPECT_EQ(canonical("matmul:dtype=f32,K=64,tb=1,N=32,M=064"),
            "matmul:M=64,N=32,K=64,ta=0,tb=1,dtype=f32,out_dtype=f32");
  EXPECT_EQ(canonical("conv2d:N=1,H=8,W=8,C=3,K=4,R=3,S=3"),
            "conv2d:N=1,H=8,W=8,C=3,K=4,R=3,S=3,stride=1,pad=0,dilation=1,dtype=f32,out_dtype=f32");
  EXPECT_EQ(canonical("add:M=2,N=3"), "add:M=2,N=3,bcast=none,dtype=f32");
  EXPECT_EQ(canonical("sum:A=2,B=3,C=4"), "sum:A=2,B=3,C=4,axes=001,dtype=f32,out_dtype=f32");
  EXPECT_EQ(canonical("layernorm:M=2,N=3"), "layernorm:M=2,N=3,eps=1e-05,dtype=f32");
  EXPECT_EQ(canonical("layernorm:M=2,N=3,eps=0.00001"), "layernorm:M=2,N=3,eps=1e-05,dtype=f32");
}

TEST(WorkloadSpec, OutDtypeFollowsTheInputType) {
  EXPECT_EQ(canonical("matmul:M=4,N=4,K=4,dtype=f16"), "matmul:M=4,N=4,K=4,ta=0,tb=0,dtype=f16,out_dtype=f32");
  EXPECT_EQ(canonical("matmul:M=4,N=4,K=4,dtype=bf16"), "matmul:M=4,N=4,K=4,ta=0,tb=0,dtype=bf16,out_dtype=f32");
  EXPECT_EQ(canonical("matmul:M=4,N=4,K=4,dtype=f64"), "matmul:M=4,N=4,K=4,ta=0,tb=0,dtype=f64,out_dtype=f64");
  Workload w = make_workload("matmul:M=4,N=4,K=4,dtype=f16,out_dtype=f16");
  EXPECT_EQ(w.spec, "matmul:M=4,N=4,K=4,ta=0,tb=0,dtype=f16,out_dtype=f16");
  EXPECT_EQ(w.func->params[0]->dtype, DType::f16);
  EXPECT_EQ(w.func->params[2]->dtype, DType::f16);
  EXPECT_EQ(make_workload("matmul:M=4,N=4,K=4,dtype=bf16").func->params[2]->dtype, DType::f32);
}

TEST(WorkloadSpec, CanonicalSpecRebuildsTheSameWorkload) {
  for (const char* spec : {"batch_matmul:B=2,M=3,N=4,K=5,ta=1", "conv2d:N=1,H=6,W=6,C=2,K=2,R=3,S=3,pad=1,stride=2",
                           "softmax:M=3,N=7,dtype=bf16", "max:A=2,B=3,C=4,axes=101"}) {
    Workload w = make_workload(spec);
    EXPECT_EQ(make_workload(w.spec).spec, w.spec);
  }
}

TEST(WorkloadSpec, WorkloadFields) {
  Workload w = make_workload("layernorm:M=3,N=5");
  EXPECT_EQ(w.op, "layernorm");
  EXPECT_EQ(w.func->name, "layernorm");
  EXPECT_EQ(w.num_outputs, 1);
  ASSERT_EQ(w.func->params.size(), 4u);  // X, gamma, beta, then Y
  EXPECT_EQ(w.func->params[3]->name, "Y");
  EXPECT_EQ(w.func->root_block().alloc_buffers.size(), 2u);
  Workload m = make_workload("matmul:M=3,N=5,K=7,ta=1,tb=1");
  EXPECT_EQ(m.func->params[0]->shape, (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(m.func->params[1]->shape, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(m.func->params[2]->shape, (std::vector<int64_t>{3, 5}));
}

// ---- errors ------------------------------------------------------------------------

TEST(WorkloadSpec, MalformedValuesNameThePosition) {
  EXPECT_EQ(error_of("matmul:M=abc"), "bad workload spec 'matmul:M=abc': at position 10: expected an integer for M, got 'abc'");
  EXPECT_EQ(error_of("matmul:M=4,N=4x,K=4"),
            "bad workload spec 'matmul:M=4,N=4x,K=4': at position 14: expected an integer for N, got '4x'");
  EXPECT_EQ(error_of("matmul:M=,N=1"), "bad workload spec 'matmul:M=,N=1': at position 10: expected a value for M");
  EXPECT_EQ(error_of("matmul:M=0,N=1,K=1"),
            "bad workload spec 'matmul:M=0,N=1,K=1': at position 10: M must be at least 1, got 0");
  EXPECT_EQ(error_of("matmul:M=1,N=1,K=1,ta=2"),
            "bad workload spec 'matmul:M=1,N=1,K=1,ta=2': at position 23: ta must be between 0 and 1, got 2");
  EXPECT_NE(error_of("matmul:M=99999999999999999999,N=1,K=1").find("at position 10: M must be at most 2147483647"),
            std::string::npos);
  EXPECT_EQ(error_of("layernorm:M=1,N=1,eps=abc"),
            "bad workload spec 'layernorm:M=1,N=1,eps=abc': at position 23: expected a number for eps, got 'abc'");
}

TEST(WorkloadSpec, SyntaxErrors) {
  EXPECT_EQ(error_of(""), "bad workload spec '': at position 1: expected an op name");
  EXPECT_EQ(error_of(":M=1"), "bad workload spec ':M=1': at position 1: expected an op name");
  EXPECT_EQ(error_of("matmul:M"), "bad workload spec 'matmul:M': at position 9: expected '=' after 'M'");
  EXPECT_EQ(error_of("matmul:M=4,"), "bad workload spec 'matmul:M=4,': at position 12: expected a parameter name");
  EXPECT_EQ(error_of("matmul:M=4,M=5"),
            "bad workload spec 'matmul:M=4,M=5': at position 12: parameter 'M' is given twice (first at position 8)");
}

TEST(WorkloadSpec, UnknownOpListsTheOps) {
  std::string msg = error_of("matmal:M=1");
  EXPECT_EQ(msg.rfind("bad workload spec 'matmal:M=1': at position 1: unknown op 'matmal'; available ops: add, "
                      "batch_matmul, bias_add, conv2d, ",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("softmax, sqrt, sub, sum, tanh"), std::string::npos) << msg;
}

TEST(WorkloadSpec, UnknownParameterListsTheParameters) {
  EXPECT_EQ(error_of("matmul:M=4,Q=3"),
            "bad workload spec 'matmul:M=4,Q=3': at position 12: unknown parameter 'Q' for matmul; parameters: M, N, "
            "K, ta, tb, dtype, out_dtype");
  EXPECT_EQ(error_of("relu:M=4,N=4,bcast=row"),
            "bad workload spec 'relu:M=4,N=4,bcast=row': at position 14: unknown parameter 'bcast' for relu; "
            "parameters: M, N, dtype");
}

TEST(WorkloadSpec, BadDtypes) {
  EXPECT_EQ(error_of("matmul:M=4,N=4,K=4,dtype=f33"),
            "bad workload spec 'matmul:M=4,N=4,K=4,dtype=f33': at position 26: unknown dtype 'f33' for dtype; "
            "expected one of f64, f32, f16, bf16");
  EXPECT_EQ(error_of("relu:M=4,N=4,dtype=i32"),
            "bad workload spec 'relu:M=4,N=4,dtype=i32': at position 20: dtype i32 is not supported for dtype; "
            "expected one of f64, f32, f16, bf16");
}

TEST(WorkloadSpec, MissingParametersAreNamed) {
  EXPECT_EQ(error_of("matmul:M=4"),
            "bad workload spec 'matmul:M=4': missing required parameters N, K for matmul (M (required), N "
            "(required), K (required), ta=0 (0..1), tb=0 (0..1), dtype=f32 (f64|f32|f16|bf16), "
            "out_dtype=<f32 for f16/bf16, else dtype> (f64|f32|f16|bf16))");
  EXPECT_NE(error_of("matmul:M=4,N=4").find("missing required parameter K for matmul"), std::string::npos);
  EXPECT_NE(error_of("softmax").find("missing required parameters M, N for softmax"), std::string::npos);
}

TEST(WorkloadSpec, WordParameters) {
  EXPECT_EQ(error_of("add:M=2,N=2,bcast=diag"),
            "bad workload spec 'add:M=2,N=2,bcast=diag': at position 19: expected one of none, row, col, scalar for "
            "bcast, got 'diag'");
  EXPECT_EQ(error_of("sum:A=2,B=2,C=2,axes=012"),
            "bad workload spec 'sum:A=2,B=2,C=2,axes=012': at position 22: expected axes as three 0/1 digits (one "
            "per dim A, B, C, 1 = reduced), got '012'");
  EXPECT_NE(error_of("mean:A=2,B=2,C=2,axes=000").find("at position 23: axes=000 reduces nothing"), std::string::npos);
  EXPECT_NE(error_of("sum:A=2,B=2,C=2,axes=01").find("three 0/1 digits"), std::string::npos);
}

TEST(WorkloadSpec, InconsistentShapesAreRejected) {
  EXPECT_EQ(error_of("conv2d:N=1,H=2,W=5,C=1,K=1,R=3,S=3"),
            "bad workload spec 'conv2d:N=1,H=2,W=5,C=1,K=1,R=3,S=3': the 3x3 dilated kernel does not fit the 2x5 "
            "padded input");
  EXPECT_NE(error_of("conv2d:N=1,H=5,W=5,C=1,K=1,R=3,S=3,dilation=3").find("the 7x7 dilated kernel"),
            std::string::npos);
  EXPECT_NO_THROW(make_workload("conv2d:N=1,H=2,W=5,C=1,K=1,R=3,S=3,pad=1"));
  EXPECT_NE(error_of("conv2d:N=1,H=5,W=5,C=1,K=1,R=3,S=3,pad=2000000000").find("32-bit index range"),
            std::string::npos);
}

// ---- listing and descriptions ------------------------------------------------------------

TEST(WorkloadSpec, ListOpsIsSortedAndComplete) {
  std::vector<std::string> ops = list_ops();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  for (const char* op : {"matmul", "batch_matmul", "conv2d", "relu", "gelu", "gelu_tanh", "tanh", "sigmoid", "exp",
                         "log", "sqrt", "rsqrt", "add", "sub", "mul", "div", "maximum", "sum", "max", "mean",
                         "softmax", "layernorm", "bias_add", "dense_bias_gelu", "dense_bias_relu"})
    EXPECT_TRUE(std::count(ops.begin(), ops.end(), op)) << op;
  EXPECT_EQ(ops.size(), 25u);
}

TEST(WorkloadSpec, DescribeOpGivesParametersAndDefaults) {
  for (const std::string& op : list_ops()) {
    std::string d = describe_op(op);
    EXPECT_EQ(d.rfind(op + ": ", 0), 0u) << d;
    EXPECT_EQ(d.find('\n'), std::string::npos) << d;
    EXPECT_NE(d.find("Parameters: "), std::string::npos) << d;
  }
  std::string m = describe_op("matmul");
  EXPECT_NE(m.find("M (required), N (required), K (required), ta=0 (0..1), tb=0 (0..1), dtype=f32"), std::string::npos)
      << m;
  EXPECT_NE(describe_op("conv2d").find("pad=0 (>=0)"), std::string::npos);
  EXPECT_NE(describe_op("add").find("bcast=none (none|row|col|scalar)"), std::string::npos);
  EXPECT_NE(describe_op("layernorm").find("eps=1e-05"), std::string::npos);
  EXPECT_NE(describe_op("sum").find("axes=001"), std::string::npos);
  try {
    describe_op("nope");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("unknown op 'nope'; available ops: add, batch_matmul", 0), 0u) << e.what();
  }
}

// ---- flops ------------------------------------------------------------------------------

TEST(WorkloadFlops, MatchTheTextbookCounts) {
  auto flops = [](const std::string& spec) { return make_workload(spec).flops; };
  EXPECT_EQ(flops("matmul:M=7,N=13,K=5"), 2.0 * 7 * 13 * 5);
  EXPECT_EQ(flops("matmul:M=7,N=13,K=5,dtype=f16"), 2.0 * 7 * 13 * 5);  // casts are free
  EXPECT_EQ(flops("batch_matmul:B=3,M=7,N=13,K=5"), 2.0 * 3 * 7 * 13 * 5);
  // P = (9 + 2 - 3) / 2 + 1 = 5, Q = (8 + 2 - 3) / 2 + 1 = 4; padding costs nothing.
  EXPECT_EQ(flops("conv2d:N=2,H=9,W=8,C=3,K=4,R=3,S=3,stride=2,pad=1"), 2.0 * 2 * 5 * 4 * 4 * 3 * 3 * 3);
  EXPECT_EQ(flops("relu:M=7,N=13"), 7.0 * 13);
  EXPECT_EQ(flops("gelu:M=7,N=13"), 5.0 * 7 * 13);        // 0.5*x, x*c, erf, 1+, *
  EXPECT_EQ(flops("gelu_tanh:M=7,N=13"), 9.0 * 7 * 13);   // c*x*x*x, x+, c*, tanh, 1+, 0.5*x, *
  EXPECT_EQ(flops("exp:M=7,N=13"), 7.0 * 13);
  EXPECT_EQ(flops("add:M=7,N=13,bcast=row"), 7.0 * 13);
  EXPECT_EQ(flops("bias_add:M=7,N=13"), 7.0 * 13);
  EXPECT_EQ(flops("sum:A=3,B=5,C=7,axes=011"), 3.0 * 5 * 7);
  EXPECT_EQ(flops("max:A=3,B=5,C=7,axes=111"), 3.0 * 5 * 7);
  EXPECT_EQ(flops("mean:A=3,B=5,C=7"), 2.0 * 3 * 5 * 7);  // add and scale per element
  EXPECT_EQ(flops("softmax:M=7,N=13"), 5.0 * 7 * 13);     // max, sub, exp, add, div
  // A subexpression used twice counts twice, as the code evaluates it: variance
  // squares (x - mean) written once, gelu reads its argument (T + b) twice.
  EXPECT_EQ(flops("layernorm:M=7,N=13"), 13.0 * 7 * 13);  // mean 2, variance 5, normalize 6
  EXPECT_EQ(flops("dense_bias_gelu:M=7,N=13,K=5"), 2.0 * 7 * 13 * 5 + 7.0 * 7 * 13);
  EXPECT_EQ(flops("dense_bias_relu:M=7,N=13,K=5"), 2.0 * 7 * 13 * 5 + 2.0 * 7 * 13);
}
