// Validation rejects partitions that break a rule, naming the nodes: two main ops
// in a kernel, a forbidden edge inside a kernel, a kernel that is not convex, and
// convex kernels whose kernel graph has a cycle.
#include <gtest/gtest.h>

#include "partition/validate.h"
#include "partition_fixtures.h"
#include "support/error.h"

using namespace weft::partition;
using namespace weft::partition::testing;

namespace {

std::string violation(const Graph& g, std::vector<int> kernel_of) {
  Partition p;
  p.num_kernels = *std::max_element(kernel_of.begin(), kernel_of.end()) + 1;
  p.kernel_of = std::move(kernel_of);
  try {
    validate_partition(g, p);
  } catch (const weft::InternalError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Validate, AcceptsTheBaselines) {
  for (const Graph& g : {mlp(), greedy_trap(), reduction_diamond()}) {
    EXPECT_NO_THROW(validate_partition(g, one_kernel_per_op(g)));
    EXPECT_NO_THROW(validate_partition(g, greedy_partition(g)));
  }
}

TEST(Validate, NamesTwoMainOpsInOneKernel) {
  Graph g = greedy_trap();  // nodes: m1, m2, u, e, w
  std::string v = violation(g, {0, 0, 0, 1, 1});
  EXPECT_NE(v.find("2 main ops: m1, m2"), std::string::npos) << v;
}

TEST(Validate, NamesAFusedOperandAndAFusedReductionOutput) {
  Graph g = mlp();  // mm1, bias1, act, mm2, bias2
  std::string v = violation(g, {0, 0, 1, 1, 1});
  EXPECT_NE(v.find("act and mm2 share a kernel but operand of main op mm2"), std::string::npos) << v;
  Graph d = reduction_diamond();  // mm, r, s, out
  v = violation(d, {0, 0, 1, 1});
  EXPECT_NE(v.find("s and out share a kernel but reduction/statistic output ends the kernel of s"), std::string::npos)
      << v;
}

TEST(Validate, NamesANonConvexKernel) {
  // a = relu(x); b = relu(a); c = add(a, b): {a, c} without b is not convex.
  Graph g("nonconvex");
  ValueId x = g.add_input("x", f32({4}), InputKind::data);
  ValueId a = g.add("relu", {x}, {}, "a");
  ValueId b = g.add("relu", {a}, {}, "b");
  g.add_output("c", g.add("add", {a, b}, {}, "c"));
  std::string v = violation(g, {0, 1, 0});
  EXPECT_NE(v.find("kernel {a, c} is not convex: a path leaves it through b and comes back to c"), std::string::npos)
      << v;
}

TEST(Validate, NamesACycleBetweenConvexKernels) {
  // {a, b} and {c, d} are each convex, but a -> c and d -> b make the kernels a cycle.
  Graph g("cycle");
  ValueId x = g.add_input("x", f32({4}), InputKind::data);
  ValueId y = g.add_input("y", f32({4}), InputKind::data);
  ValueId a = g.add("relu", {x}, {}, "a");
  ValueId d = g.add("relu", {y}, {}, "d");
  g.add_output("c", g.add("relu", {a}, {}, "c"));
  g.add_output("b", g.add("relu", {d}, {}, "b"));
  // node order: a, d, c, b
  std::string v = violation(g, {0, 1, 1, 0});
  EXPECT_NE(v.find("the kernel graph has a cycle through the kernels of a, d"), std::string::npos) << v;
}
