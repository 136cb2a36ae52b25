// Helpers shared by the schedule tests: a small matmul in IR text, running a
// scheduled program against the unscheduled one, and asserting error messages.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/error.h"
#include "schedule/replay.h"
#include "schedule/schedule.h"

namespace weft::sched::testing {

inline ir::PrimFunc matmul_func(int m = 16, int n = 12, int k = 8) {
  std::string M = std::to_string(m), N = std::to_string(n), K = std::to_string(k);
  return ir::parse_func("func mm(A: f32[" + M + ", " + K + "], B: f32[" + K + ", " + N + "], C: f32[" + M + ", " + N +
                            "]) {\n"
                            "  block root() {\n"
                            "    for i in range(" + M + ") {\n"
                            "      for j in range(" + N + ") {\n"
                            "        for k in range(" + K + ") {\n"
                            "          block C(vi: spatial(0, " + M + ") = i, vj: spatial(0, " + N + ") = j, vk: reduce(0, " + K + ") = k) {\n"
                            "            reads(C[vi, vj], A[vi, vk], B[vk, vj])\n"
                            "            writes(C[vi, vj])\n"
                            "            init {\n"
                            "              C[vi, vj] = f32(0)\n"
                            "            }\n"
                            "            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]\n"
                            "          }\n"
                            "        }\n"
                            "      }\n"
                            "    }\n"
                            "  }\n"
                            "}\n",
                        "matmul.ir");
}

// Runs both programs on the same random inputs (every parameter is filled; the
// outputs are compared) and returns the comparison of every parameter.
inline ::testing::AssertionResult same_results(const ir::PrimFunc& reference, const ir::PrimFunc& scheduled,
                                               uint64_t seed = 1) {
  Rng rng(seed);
  std::vector<ir::NDArray> a, b;
  for (const ir::Buffer& p : reference->params) {
    a.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
    b.push_back(a.back());
  }
  std::vector<ir::NDArray*> pa, pb;
  for (auto& x : a) pa.push_back(&x);
  for (auto& x : b) pb.push_back(&x);
  ir::interpret(reference, pa);
  ir::interpret(scheduled, pb);
  for (size_t i = 0; i < a.size(); ++i) {
    ir::Comparison c = ir::compare(a[i], b[i]);
    if (!c.ok)
      return ::testing::AssertionFailure() << "parameter " << reference->params[i]->name << ": " << c.message << "\n"
                                           << ir::to_text(scheduled);
  }
  return ::testing::AssertionSuccess();
}

// The scheduled function equals the expected text, compared structurally.
inline ::testing::AssertionResult ir_equals(const ir::PrimFunc& actual, const std::string& expected_text) {
  ir::PrimFunc expected = ir::parse_func(expected_text, "expected.ir");
  if (ir::structural_equal(actual, expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual:\n" << ir::to_text(actual) << "expected:\n" << ir::to_text(expected);
}

// Replaying the printed trace (text and JSON forms) on the unscheduled program gives
// the same IR.
inline void expect_replays(const Schedule& sch, const ir::PrimFunc& original) {
  for (const Trace& parsed : {Trace::parse_text(sch.trace().to_text()), Trace::parse_json(sch.trace().to_json())}) {
    Schedule again = replay(parsed, original);
    EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func())) << sch.trace().to_text();
  }
}

#define EXPECT_SCHEDULE_ERROR(stmt, fragment)                                                        \
  do {                                                                                               \
    try {                                                                                            \
      stmt;                                                                                          \
      ADD_FAILURE() << "expected ScheduleError containing: " << fragment;                            \
    } catch (const ::weft::sched::ScheduleError& e) {                                                \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();                \
    }                                                                                                \
  } while (0)

}  // namespace weft::sched::testing
