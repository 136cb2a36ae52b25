// The op library, numerically: every op at two small shapes (non-powers of two
// included) runs in the reference interpreter on random inputs and is compared
// with plain C++ loops in double precision. Also the blocks' names, reads and
// writes, the IR shape the schedule language relies on, and collect_accesses.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "ir/access.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/workload.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

// Row-major reads of an array by multi-index.
struct View {
  const NDArray& a;
  double operator()(std::initializer_list<int64_t> idx) const {
    int64_t flat = 0, d = 0;
    for (int64_t i : idx) flat = flat * a.shape()[d++] + i;
    return a.get(flat);
  }
};

struct OpRun {
  Workload w;
  std::vector<NDArray> arrays;  // inputs, then outputs as the interpreter left them
  View in(size_t i) const { return View{arrays.at(i)}; }
  const NDArray& out() const { return arrays.back(); }
};

// Random inputs in [lo, hi); outputs start as random garbage so a missing init shows.
OpRun run(const std::string& spec, double lo = -1.0, double hi = 1.0) {
  OpRun r{make_workload(spec), {}};
  Rng rng(1234);
  for (const Buffer& p : r.w.func->params) r.arrays.push_back(NDArray::random(p->dtype, p->shape, rng, lo, hi));
  std::vector<NDArray*> args;
  for (NDArray& a : r.arrays) args.push_back(&a);
  interpret(r.w.func, args);
  return r;
}

// Compares the output with `ref(flat index)` computed in double precision.
// Tolerances are compare()'s defaults for the output dtype.
void expect_output(const OpRun& r, const std::function<double(int64_t)>& ref) {
  NDArray expected(r.out().dtype(), r.out().shape());
  for (int64_t i = 0; i < expected.size(); ++i) expected.set(i, ref(i));
  Comparison c = compare(expected, r.out());
  EXPECT_TRUE(c.ok) << r.w.spec << ": " << c.message;
}

// Splits a flat index into (i, j) for an M x N output.
std::pair<int64_t, int64_t> rc(int64_t flat, int64_t N) { return {flat / N, flat % N}; }

double gelu_ref(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }

}  // namespace

// ---- numerics ---------------------------------------------------------------------

TEST(Ops, MatmulAllTransposesAndTypes) {
  struct Case { int64_t M, N, K; bool ta, tb; const char* dtype; };
  for (Case c : {Case{7, 13, 5, false, false, "f32"}, Case{16, 3, 9, true, false, "f32"},
                 Case{5, 11, 13, false, true, "f32"}, Case{6, 7, 3, true, true, "f32"},
                 Case{7, 5, 13, false, false, "f64"}, Case{9, 4, 13, false, false, "f16"},
                 Case{4, 9, 7, true, false, "bf16"}}) {
    OpRun r = run("matmul:M=" + std::to_string(c.M) + ",N=" + std::to_string(c.N) + ",K=" + std::to_string(c.K) +
                  ",ta=" + std::to_string(c.ta) + ",tb=" + std::to_string(c.tb) + ",dtype=" + c.dtype);
    expect_output(r, [&](int64_t f) {
      auto [i, j] = rc(f, c.N);
      double s = 0;
      for (int64_t k = 0; k < c.K; ++k)
        s += (c.ta ? r.in(0)({k, i}) : r.in(0)({i, k})) * (c.tb ? r.in(1)({j, k}) : r.in(1)({k, j}));
      return s;
    });
  }
}

TEST(Ops, BatchMatmul) {
  struct Case { const char* spec; int64_t M, N, K; bool ta, tb; };
  for (Case c : {Case{"batch_matmul:B=2,M=7,N=5,K=13", 7, 5, 13, false, false},
                 Case{"batch_matmul:B=3,M=4,N=6,K=3,ta=1,tb=1,dtype=bf16", 4, 6, 3, true, true}}) {
    OpRun r = run(c.spec);
    expect_output(r, [&](int64_t f) {
      int64_t b = f / (c.M * c.N), i = f / c.N % c.M, j = f % c.N;
      double s = 0;
      for (int64_t k = 0; k < c.K; ++k)
        s += (c.ta ? r.in(0)({b, k, i}) : r.in(0)({b, i, k})) * (c.tb ? r.in(1)({b, j, k}) : r.in(1)({b, k, j}));
      return s;
    });
  }
}

TEST(Ops, Conv2dStridePadDilation) {
  struct Case { int64_t N, H, W, C, K, R, S, stride, pad, dil; const char* dtype; };
  for (Case c : {Case{1, 7, 9, 3, 5, 3, 3, 1, 0, 1, "f32"}, Case{2, 8, 7, 2, 3, 3, 2, 2, 1, 2, "f32"},
                 Case{1, 5, 6, 3, 2, 3, 3, 1, 2, 1, "f16"}}) {
    std::string spec = "conv2d:N=" + std::to_string(c.N) + ",H=" + std::to_string(c.H) + ",W=" + std::to_string(c.W) +
                       ",C=" + std::to_string(c.C) + ",K=" + std::to_string(c.K) + ",R=" + std::to_string(c.R) +
                       ",S=" + std::to_string(c.S) + ",stride=" + std::to_string(c.stride) +
                       ",pad=" + std::to_string(c.pad) + ",dilation=" + std::to_string(c.dil) + ",dtype=" + c.dtype;
    OpRun r = run(spec);
    int64_t P = (c.H + 2 * c.pad - c.dil * (c.R - 1) - 1) / c.stride + 1;
    int64_t Q = (c.W + 2 * c.pad - c.dil * (c.S - 1) - 1) / c.stride + 1;
    ASSERT_EQ(r.out().shape(), (std::vector<int64_t>{c.N, P, Q, c.K})) << spec;
    expect_output(r, [&](int64_t f) {
      int64_t k = f % c.K, q = f / c.K % Q, p = f / (c.K * Q) % P, n = f / (c.K * Q * P);
      double s = 0;
      for (int64_t rr = 0; rr < c.R; ++rr)
        for (int64_t ss = 0; ss < c.S; ++ss)
          for (int64_t ch = 0; ch < c.C; ++ch) {
            int64_t h = p * c.stride + rr * c.dil - c.pad, w = q * c.stride + ss * c.dil - c.pad;
            if (h < 0 || h >= c.H || w < 0 || w >= c.W) continue;
            s += r.in(0)({n, h, w, ch}) * r.in(1)({rr, ss, ch, k});
          }
      return s;
    });
  }
}

TEST(Ops, UnaryElementwise) {
  const std::map<std::string, std::function<double(double)>> refs = {
      {"relu", [](double x) { return std::max(x, 0.0); }},
      {"gelu", gelu_ref},
      {"gelu_tanh",
       [](double x) { return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"exp", [](double x) { return std::exp(x); }},
      {"log", [](double x) { return std::log(x); }},
      {"sqrt", [](double x) { return std::sqrt(x); }},
      {"rsqrt", [](double x) { return 1 / std::sqrt(x); }},
  };
  for (const auto& [op, f] : refs) {
    bool positive = op == "log" || op == "sqrt" || op == "rsqrt";
    for (const char* shape : {"M=7,N=13", "M=16,N=5,dtype=f16"}) {
      OpRun r = run(op + ":" + shape, positive ? 0.1 : -3.0, positive ? 2.0 : 3.0);
      expect_output(r, [&](int64_t i) { return f(r.arrays[0].get(i)); });
    }
  }
}

TEST(Ops, BinaryElementwiseWithBroadcast) {
  const std::map<std::string, std::function<double(double, double)>> refs = {
      {"add", [](double a, double b) { return a + b; }}, {"sub", [](double a, double b) { return a - b; }},
      {"mul", [](double a, double b) { return a * b; }}, {"div", [](double a, double b) { return a / b; }},
      {"maximum", [](double a, double b) { return std::max(a, b); }}};
  for (const auto& [op, f] : refs)
    for (const char* bcast : {"none", "row", "col", "scalar"})
      for (auto [M, N] : {std::pair<int64_t, int64_t>{7, 13}, {4, 1}}) {
        std::string spec = op + ":M=" + std::to_string(M) + ",N=" + std::to_string(N) + ",bcast=" + bcast;
        OpRun r = run(spec, 0.5, 2.0);  // away from zero, for div
        std::string mode = bcast;
        expect_output(r, [&](int64_t flat) {
          auto [i, j] = rc(flat, N);
          double b = mode == "none" ? r.in(1)({i, j}) : mode == "row" ? r.in(1)({j}) : mode == "col" ? r.in(1)({i}) : r.in(1)({0});
          return f(r.in(0)({i, j}), b);
        });
      }
}

TEST(Ops, BiasAdd) {
  for (auto [M, N] : {std::pair<int64_t, int64_t>{7, 13}, {16, 3}}) {
    OpRun r = run("bias_add:M=" + std::to_string(M) + ",N=" + std::to_string(N));
    expect_output(r, [&](int64_t f) {
      auto [i, j] = rc(f, N);
      return r.in(0)({i, j}) + r.in(1)({j});
    });
  }
}

TEST(Ops, ReductionsOverEveryAxisSet) {
  for (const char* op : {"sum", "max", "mean"})
    for (const char* axes : {"001", "010", "100", "011", "101", "110", "111"})
      for (auto dims : {std::vector<int64_t>{3, 5, 7}, std::vector<int64_t>{4, 1, 6}}) {
        std::string spec = std::string(op) + ":A=" + std::to_string(dims[0]) + ",B=" + std::to_string(dims[1]) +
                           ",C=" + std::to_string(dims[2]) + ",axes=" + axes;
        OpRun r = run(spec);
        std::vector<int64_t> kept;
        for (int d = 0; d < 3; ++d)
          if (axes[d] == '0') kept.push_back(dims[d]);
        ASSERT_EQ(r.out().shape(), kept.empty() ? std::vector<int64_t>{1} : kept) << spec;
        expect_output(r, [&](int64_t flat) {
          // Decode the output index into the kept dims, then fold over the reduced ones.
          int64_t idx[3] = {0, 0, 0};
          for (int d = 2; d >= 0; --d)
            if (axes[d] == '0') {
              idx[d] = flat % dims[d];
              flat /= dims[d];
            }
          double acc = std::string(op) == "max" ? -INFINITY : 0.0;
          int64_t count = 0;
          for (int64_t a = 0; a < dims[0]; ++a)
            for (int64_t b = 0; b < dims[1]; ++b)
              for (int64_t c = 0; c < dims[2]; ++c) {
                if ((axes[0] == '0' && a != idx[0]) || (axes[1] == '0' && b != idx[1]) ||
                    (axes[2] == '0' && c != idx[2]))
                  continue;
                double x = r.in(0)({a, b, c});
                acc = std::string(op) == "max" ? std::max(acc, x) : acc + x;
                ++count;
              }
          return std::string(op) == "mean" ? acc / static_cast<double>(count) : acc;
        });
      }
}

TEST(Ops, Softmax) {
  for (const char* spec : {"softmax:M=7,N=13", "softmax:M=1,N=5", "softmax:M=3,N=17,dtype=bf16"}) {
    OpRun r = run(spec, -4.0, 4.0);
    int64_t M = r.out().shape()[0], N = r.out().shape()[1];
    std::vector<double> expected(M * N);
    for (int64_t i = 0; i < M; ++i) {
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < N; ++j) mx = std::max(mx, r.in(0)({i, j}));
      for (int64_t j = 0; j < N; ++j) sum += std::exp(r.in(0)({i, j}) - mx);
      for (int64_t j = 0; j < N; ++j) expected[i * N + j] = std::exp(r.in(0)({i, j}) - mx) / sum;
    }
    expect_output(r, [&](int64_t f) { return expected[f]; });
  }
}

TEST(Ops, Layernorm) {
  struct Case { const char* spec; double eps; };
  for (Case c : {Case{"layernorm:M=7,N=13", 1e-5}, Case{"layernorm:M=3,N=32,eps=0.001", 1e-3},
                 Case{"layernorm:M=2,N=9,dtype=f16", 1e-5}}) {
    OpRun r = run(c.spec);
    int64_t M = r.out().shape()[0], N = r.out().shape()[1];
    std::vector<double> expected(M * N);
    for (int64_t i = 0; i < M; ++i) {
      double mean = 0, var = 0;
      for (int64_t j = 0; j < N; ++j) mean += r.in(0)({i, j}) / N;
      for (int64_t j = 0; j < N; ++j) var += (r.in(0)({i, j}) - mean) * (r.in(0)({i, j}) - mean) / N;
      for (int64_t j = 0; j < N; ++j)
        expected[i * N + j] = (r.in(0)({i, j}) - mean) / std::sqrt(var + c.eps) * r.in(1)({j}) + r.in(2)({j});
    }
    expect_output(r, [&](int64_t f) { return expected[f]; });
  }
}

TEST(Ops, DenseBiasActivation) {
  for (const char* act : {"gelu", "relu"})
    for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{7, 13, 5}, {4, 6, 9}}) {
      std::string spec = std::string("dense_bias_") + act + ":M=" + std::to_string(M) + ",N=" + std::to_string(N) +
                         ",K=" + std::to_string(K);
      OpRun r = run(spec);
      expect_output(r, [&](int64_t f) {
        auto [i, j] = rc(f, N);
        double s = r.in(2)({j});
        for (int64_t k = 0; k < K; ++k) s += r.in(0)({i, k}) * r.in(1)({k, j});
        return std::string(act) == "gelu" ? gelu_ref(s) : std::max(s, 0.0);
      });
    }
}

// Every listed op must appear in the numeric tests above; this list is the reminder.
TEST(Ops, EveryOpHasANumericTest) {
  const std::set<std::string> tested = {"add",  "batch_matmul", "bias_add", "conv2d", "dense_bias_gelu",
                                        "dense_bias_relu", "div", "exp", "gelu", "gelu_tanh", "layernorm",
                                        "log", "matmul", "max", "maximum", "mean", "mul", "relu", "rsqrt",
                                        "sigmoid", "softmax", "sqrt", "sub", "sum", "tanh"};
  for (const std::string& op : list_ops()) EXPECT_TRUE(tested.count(op)) << op << " has no numeric test";
  EXPECT_EQ(list_ops().size(), tested.size());
}

// ---- block structure -----------------------------------------------------------------

namespace {

std::string region_text(const BufferRegion& r) {
  std::string s = r.buffer->name + "[";
  for (size_t d = 0; d < r.region.size(); ++d) {
    int64_t extent = 0;
    EXPECT_TRUE(is_const_int(r.region[d].extent, &extent) && extent == 1) << r.buffer->name << " is not a point";
    s += (d ? ", " : "") + to_text(r.region[d].min);
  }
  return s + "]";
}

std::string regions_text(const std::vector<BufferRegion>& rs) {
  std::string s;
  for (const BufferRegion& r : rs) s += (s.empty() ? "" : " ") + region_text(r);
  return s;
}

// Non-root blocks in program order, each with its enclosing loops (innermost last).
struct BlockSite {
  const BlockRealizeNode* realize;
  std::vector<const ForNode*> loops;
};

void collect_sites(const Stmt& s, std::vector<const ForNode*> loops, std::vector<BlockSite>* out) {
  if (const auto* f = s.as<ForNode>()) {
    loops.push_back(f);
    collect_sites(f->body, loops, out);
  } else if (const auto* q = s.as<SeqStmtNode>()) {
    for (const Stmt& c : q->seq) collect_sites(c, loops, out);
  } else if (const auto* br = s.as<BlockRealizeNode>()) {
    out->push_back({br, loops});
  } else {
    ADD_FAILURE() << "unexpected statement between blocks";
  }
}

std::vector<BlockSite> sites(const Workload& w) {
  std::vector<BlockSite> out;
  collect_sites(w.func->root_block().body, {}, &out);
  return out;
}

// A small spec for any op.
std::string small_spec(const std::string& op) {
  const std::map<std::string, std::string> shapes = {
      {"matmul", "M=3,N=5,K=7"}, {"batch_matmul", "B=2,M=3,N=5,K=7"}, {"conv2d", "N=1,H=5,W=6,C=2,K=3,R=3,S=3,pad=1"},
      {"sum", "A=2,B=3,C=4"}, {"max", "A=2,B=3,C=4,axes=101"}, {"mean", "A=2,B=3,C=4,axes=110"},
      {"dense_bias_gelu", "M=3,N=5,K=7"}, {"dense_bias_relu", "M=3,N=5,K=7"}};
  return op + ":" + (shapes.count(op) ? shapes.at(op) : "M=3,N=5");
}

}  // namespace

TEST(Ops, BlocksDeclareExactReadsAndWrites) {
  struct Expect { const char* spec; std::vector<std::array<const char*, 3>> blocks; };  // name, reads, writes
  const std::vector<Expect> cases = {
      {"matmul:M=4,N=5,K=6", {{"C", "C[vi, vj] A[vi, vk] B[vk, vj]", "C[vi, vj]"}}},
      {"matmul:M=4,N=5,K=6,ta=1,tb=1,dtype=f16", {{"C", "C[vi, vj] A[vk, vi] B[vj, vk]", "C[vi, vj]"}}},
      {"batch_matmul:B=2,M=4,N=5,K=6", {{"C", "C[vb, vi, vj] A[vb, vi, vk] B[vb, vk, vj]", "C[vb, vi, vj]"}}},
      {"conv2d:N=1,H=5,W=5,C=2,K=3,R=3,S=3,pad=1,stride=2",
       {{"pad", "data[vn, vh - 1, vw - 1, vc]", "data_pad[vn, vh, vw, vc]"},
        {"conv", "out[vn, vh, vw, vk] data_pad[vn, vh * 2 + vr, vw * 2 + vs, vc] weight[vr, vs, vc, vk]",
         "out[vn, vh, vw, vk]"}}},
      {"conv2d:N=1,H=5,W=5,C=2,K=3,R=3,S=3,dilation=2",
       {{"conv", "out[vn, vh, vw, vk] data[vn, vh + vr * 2, vw + vs * 2, vc] weight[vr, vs, vc, vk]",
         "out[vn, vh, vw, vk]"}}},
      {"gelu:M=3,N=4", {{"gelu", "X[vi, vj]", "Y[vi, vj]"}}},
      {"add:M=3,N=4", {{"add", "A[vi, vj] B[vi, vj]", "C[vi, vj]"}}},
      {"mul:M=3,N=4,bcast=col", {{"mul", "A[vi, vj] B[vi]", "C[vi, vj]"}}},
      {"sub:M=3,N=4,bcast=scalar", {{"sub", "A[vi, vj] B[0]", "C[vi, vj]"}}},
      {"bias_add:M=3,N=4", {{"bias_add", "A[vi, vj] bias[vj]", "C[vi, vj]"}}},
      {"sum:A=2,B=3,C=4,axes=010", {{"sum", "Y[vi, vk] X[vi, vj, vk]", "Y[vi, vk]"}}},
      {"max:A=2,B=3,C=4,axes=111", {{"max", "Y[0] X[vi, vj, vk]", "Y[0]"}}},
      {"softmax:M=3,N=4",
       {{"maxelem", "X_max[vi] X[vi, vk]", "X_max[vi]"},
        {"expsub", "X[vi, vj] X_max[vi]", "X_exp[vi, vj]"},
        {"sumexp", "X_sum[vi] X_exp[vi, vk]", "X_sum[vi]"},
        {"norm", "X_exp[vi, vj] X_sum[vi]", "Y[vi, vj]"}}},
      {"layernorm:M=3,N=4",
       {{"mean", "X_mean[vi] X[vi, vk]", "X_mean[vi]"},
        {"variance", "X_var[vi] X[vi, vk] X_mean[vi]", "X_var[vi]"},
        {"normalize", "X[vi, vj] X_mean[vi] X_var[vi] gamma[vj] beta[vj]", "Y[vi, vj]"}}},
      {"dense_bias_gelu:M=3,N=4,K=5",
       {{"matmul", "T[vi, vj] X[vi, vk] W[vk, vj]", "T[vi, vj]"}, {"bias_gelu", "T[vi, vj] b[vj]", "Y[vi, vj]"}}},
  };
  for (const Expect& c : cases) {
    Workload w = make_workload(c.spec);
    std::vector<BlockSite> found = sites(w);
    ASSERT_EQ(found.size(), c.blocks.size()) << c.spec;
    for (size_t b = 0; b < found.size(); ++b) {
      const BlockNode& block = *found[b].realize->block;
      EXPECT_EQ(block.name, c.blocks[b][0]) << c.spec;
      EXPECT_EQ(regions_text(block.reads), c.blocks[b][1]) << c.spec << " block " << block.name;
      EXPECT_EQ(regions_text(block.writes), c.blocks[b][2]) << c.spec << " block " << block.name;
    }
  }
}

// The shape every schedule rule starts from: one serial loop per block iterator in
// iterator order, bound 1:1; reductions carry an init storing the identity; params
// are inputs then outputs; intermediates are allocated by the root block.
TEST(Ops, EveryOpHasTheCanonicalLoopNest) {
  for (const std::string& op : list_ops()) {
    std::string spec = small_spec(op);
    Workload w = make_workload(spec);
    const BlockNode& root = w.func->root_block();
    EXPECT_EQ(w.num_outputs, 1) << spec;
    for (const BlockSite& site : sites(w)) {
      const BlockNode& block = *site.realize->block;
      ASSERT_EQ(site.loops.size(), block.iter_vars.size()) << spec << " block " << block.name;
      for (size_t i = 0; i < site.loops.size(); ++i) {
        EXPECT_EQ(site.loops[i]->for_kind, ForKind::Serial);
        EXPECT_TRUE(site.realize->iter_values[i].same_as(var_expr(site.loops[i]->loop_var)));
        EXPECT_TRUE(same_expr(site.loops[i]->extent, block.iter_vars[i].dom.extent));
        EXPECT_EQ(block.iter_vars[i].var->name, "v" + site.loops[i]->loop_var->name);
      }
      EXPECT_EQ(static_cast<bool>(block.init), block.is_reduction()) << spec << " block " << block.name;
      // Only the root allocates, and every buffer written is a param or a root allocation.
      EXPECT_TRUE(block.alloc_buffers.empty());
      for (const BufferRegion& wr : block.writes) {
        bool known = std::count(root.alloc_buffers.begin(), root.alloc_buffers.end(), wr.buffer) ||
                     std::count(w.func->params.begin(), w.func->params.end(), wr.buffer);
        EXPECT_TRUE(known) << spec << ": " << wr.buffer->name << " is neither a param nor allocated";
      }
    }
    // The last param is the output: written by the last block and read by none before it.
    EXPECT_EQ(sites(w).back().realize->block->writes[0].buffer, w.func->params.back()) << spec;
  }
}

TEST(Ops, ReductionInitStoresTheIdentity) {
  auto init_value = [](const std::string& spec) {
    const BlockNode& b = *sites(make_workload(spec)).back().realize->block;
    return to_text(b.init.as<BufferStoreNode>()->value);
  };
  EXPECT_EQ(init_value("matmul:M=2,N=2,K=2"), "f32(0)");
  EXPECT_EQ(init_value("sum:A=2,B=2,C=2,dtype=f64"), "f64(0)");
  EXPECT_EQ(init_value("max:A=2,B=2,C=2"), "f32(-3.4028235e+38)");
}

// ---- collect_accesses --------------------------------------------------------------

TEST(OpsAccess, DeduplicatesAndListsReadModifyWriteInBoth) {
  Buffer A = make_buffer("A", DType::f32, {4, 4});
  Buffer C = make_buffer("C", DType::f32, {4});
  Var i = make_var("i"), k = make_var("k");
  Expr vi = var_expr(i), vk = var_expr(k);
  Stmt body = store(C, load(C, {vi}) + load(A, {vi, vk}) * load(A, {vi, vk}) + load(A, {vk, vi}), {vi});
  AccessRegions acc = collect_accesses(body);
  EXPECT_EQ(regions_text(acc.reads), "C[i] A[i, k] A[k, i]");
  EXPECT_EQ(regions_text(acc.writes), "C[i]");
  // Structurally equal indices built separately are the same region; other variables are not.
  Var i2 = make_var("i");
  Stmt two = seq({store(C, load(A, {vi + 1, vk}), {vi}), store(C, load(A, {vi + 1, vk}), {vi}),
                  store(C, load(A, {var_expr(i2) + 1, vk}), {vi})});
  EXPECT_EQ(collect_accesses(two).reads.size(), 2u);
  EXPECT_EQ(collect_accesses(two).writes.size(), 1u);
}

TEST(OpsAccess, IndirectLoadsAndConditionsAreReads) {
  Buffer A = make_buffer("A", DType::f32, {8});
  Buffer I = make_buffer("I", DType::i32, {8});
  Buffer F = make_buffer("F", DType::f32, {8});
  Var i = make_var("i");
  Expr vi = var_expr(i);
  Stmt s = if_then_else(gt(load(F, {vi}), float_imm(0)), store(A, load(A, {load(I, {vi})}), {vi}));
  EXPECT_EQ(regions_text(collect_accesses(s).reads), "F[i] A[I[i]] I[i]");
}

TEST(OpsAccess, LoopsAndNestedBlocksAreRejected) {
  Buffer A = make_buffer("A", DType::f32, {8});
  Var i = make_var("i");
  Stmt loop = make_for(i, 8, ForKind::Serial, store(A, float_imm(0), {var_expr(i)}));
  try {
    collect_accesses(loop);
    FAIL() << "expected InternalError";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("loop 'i'"), std::string::npos) << e.what();
  }
}

// Every op prints to text that parses back to the same program (the database and
// traces key on this text).
TEST(Ops, EveryOpRoundTripsThroughText) {
  for (const std::string& op : list_ops()) {
    std::string spec = small_spec(op) + (op == "matmul" ? ",dtype=bf16" : "");
    std::string text = to_text(make_workload(spec).func);
    EXPECT_EQ(to_text(parse_func(text, spec)), text) << text;
  }
}
