// rfactor over fused reduction loops followed by compute_at of the rf block
// (issue 3): the rf block's iterators are independent, every legal location
// computes what the unscheduled program computes, and compute_at /
// reverse_compute_at refuse blocks whose reduction iterators are not bound
// independently and bijectively (they would repeat or skip updates).
#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/replay.h"
#include "schedule/sampling.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

Schedule apply_text(const ir::PrimFunc& func, const std::string& text) {
  return replay(Trace::parse_text(text, "rfactor_fused.trace"), func);
}

// Fuse the two reduction loops of `op`, split the fused loop [outer, inner], and
// rfactor one part: what add-rfactor does to a reduction over two axes.
std::string fuse_split_rfactor(const std::string& op, int64_t outer, int64_t inner, bool rfactor_outer, int axis) {
  return "b0 = get_block(\"" + op + "\")\n" +
         "l1, l2, l3 = get_loops(b0)\n"
         "l4 = fuse(l2, l3)\n"
         "v5, v6 = sample_perfect_tile(l4, n=2, max_innermost=64) -> [" +
         std::to_string(outer) + ", " + std::to_string(inner) + "]\n" +
         "l7, l8 = split(l4, [v5, v6])\n"
         "b9 = rfactor(" + (rfactor_outer ? "l7" : "l8") + ", " + std::to_string(axis) + ")\n";
}

// The text plus compute_at of the rf block (b9) at sampled location `decision`.
std::string at_location(const std::string& text, int64_t decision) {
  return text + "l10 = sample_compute_location(b9) -> " + std::to_string(decision) +
         "\ncompute_at(b9, l10, preserve_unit_loops=0)\n";
}

// Applies compute_at at every loop sample_compute_location offers (decisions 0,
// 1, ... until one is refused) and checks each result; returns how many there were.
int check_every_location(const ir::Workload& w, const std::string& text) {
  int count = 0;
  for (int64_t d = 0;; ++d) {
    std::optional<Schedule> sch;
    try {
      sch = apply_text(w.func, at_location(text, d));
    } catch (const ScheduleError& e) {
      EXPECT_NE(std::string(e.what()).find("sample_compute_location"), std::string::npos) << e.what();
      break;
    }
    ++count;
    EXPECT_TRUE(same_results(w.func, sch->func())) << at_location(text, d);
    // The rf block really moved under a loop of the final reduction.
    BlockSite rf = *find_block(sch->func(), sch->block_name(BlockRV{9}));
    BlockSite final_block = *find_block(sch->func(), w.op);
    EXPECT_TRUE(rf.loops.front().same_as(final_block.loops.front())) << ir::to_text(sch->func());
    expect_replays(*sch, w.func);
  }
  return count;
}

}  // namespace

TEST(RfactorFused, MeanOverTwoAxesGivesIndependentIterators) {
  ir::Workload w = ir::make_workload("mean:A=2,B=3,C=64,axes=011");
  std::string text = fuse_split_rfactor("mean", 6, 32, false, 1);
  Schedule sch = apply_text(w.func, text);
  // j = f0 // 2 is no iterator of its own beside vj_k_fused_0: both are
  // expressions of the new iterators inside the block.
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mean(X: f32[2, 3, 64], Y: f32[2]) {
  block root() {
    alloc Y_rf: f32[2, 32]
    for i in range(2) {
      for j_k_fused_0 in range(6) {
        for j_k_fused_1 in range(32) {
          block mean_rf(vj_k_fused_1: spatial(0, 32) = j_k_fused_1, vi: spatial(0, 2) = i, vj_k_fused_0: reduce(0, 6) = j_k_fused_0) {
            reads(Y_rf[vi, vj_k_fused_1], X[vi, vj_k_fused_0 // 2, vj_k_fused_0 % 2 * 32 + vj_k_fused_1])
            writes(Y_rf[vi, vj_k_fused_1])
            init {
              Y_rf[vi, vj_k_fused_1] = f32(0)
            }
            Y_rf[vi, vj_k_fused_1] = Y_rf[vi, vj_k_fused_1] + X[vi, vj_k_fused_0 // 2, vj_k_fused_0 % 2 * 32 + vj_k_fused_1] * f32(0.0052083335)
          }
        }
      }
    }
    for i_1 in range(2) {
      for j_k_fused_1_1 in range(32) {
        block mean(vi_1: spatial(0, 2) = i_1, vj_k_fused_1_1: reduce(0, 32) = j_k_fused_1_1) {
          reads(Y[vi_1], Y_rf[vi_1, vj_k_fused_1_1])
          writes(Y[vi_1])
          init {
            Y[vi_1] = f32(0)
          }
          Y[vi_1] = Y[vi_1] + Y_rf[vi_1, vj_k_fused_1_1]
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(w.func, sch.func()));
  // The issue's case: at the final reduction's outer loop the sum was three times too large.
  EXPECT_EQ(check_every_location(w, text), 2);
}

TEST(RfactorFused, SumsOverTwoAxesAtEveryLocation) {
  struct Case {
    const char* spec;
    int64_t outer, inner;
  };
  // 4 x 10 = 40 split [5, 8]: neither part lines up with the original axes, so
  // both reduction iterators depend on both parts.
  for (Case c : {Case{"sum:A=3,B=4,C=10,axes=011", 5, 8}, Case{"mean:A=2,B=3,C=64,axes=011", 6, 32},
                 Case{"max:A=2,B=6,C=4,axes=011", 3, 8}})
    for (bool rfactor_outer : {false, true})
      for (int axis : {0, 1}) {
        ir::Workload w = ir::make_workload(c.spec);
        std::string text = fuse_split_rfactor(w.op, c.outer, c.inner, rfactor_outer, axis);
        Schedule sch = apply_text(w.func, text);
        EXPECT_TRUE(same_results(w.func, sch.func())) << c.spec << "\n" << text;
        // Every reduction iterator of the rf block is bound to a loop of its own.
        const ir::BlockRealizeNode& rf = find_block(sch.func(), sch.block_name(BlockRV{9}))->node();
        for (size_t i = 0; i < rf.iter_values.size(); ++i)
          EXPECT_TRUE(rf.iter_values[i].as<ir::VarNode>()) << ir::to_text(sch.func());
        EXPECT_GE(check_every_location(w, text), 1) << c.spec << "\n" << text;
      }
}

TEST(RfactorFused, FinalReductionUnderTheRfBlocksLoop) {
  ir::Workload w = ir::make_workload("sum:A=3,B=4,C=10,axes=011");
  std::string text = fuse_split_rfactor(w.op, 5, 8, false, 1) +
                     "b10 = get_block(\"" + w.op + "\")\n"
                     "l11, l12, l13 = get_loops(b9)\n"
                     "reverse_compute_at(b10, l11, preserve_unit_loops=0)\n";
  Schedule sch = apply_text(w.func, text);
  EXPECT_TRUE(same_results(w.func, sch.func())) << text;
  EXPECT_EQ(find_block(sch.func(), w.op)->loops.size(), 2u) << ir::to_text(sch.func());
}

namespace {

// What rfactor made of the mean before the fix: vj = f0 // 2 beside vf0 = f0,
// two reduction iterators over one loop. Running it where it is is right (6
// updates per partial); one loop per iterator would run 3 x 6.
ir::PrimFunc dependent_rf_block() {
  return ir::parse_func(R"(func mean(X: f32[2, 3, 64], Y: f32[2]) {
  block root() {
    alloc Y_rf: f32[2, 32]
    for i in range(2) {
      for f0 in range(6) {
        for f1 in range(32) {
          block mean_rf(vf1: spatial(0, 32) = f1, vi: spatial(0, 2) = i, vj: reduce(0, 3) = f0 // 2, vf0: reduce(0, 6) = f0) {
            reads(Y_rf[vi, vf1], X[vi, vj, vf0 % 2 * 32 + vf1])
            writes(Y_rf[vi, vf1])
            init {
              Y_rf[vi, vf1] = f32(0)
            }
            Y_rf[vi, vf1] = Y_rf[vi, vf1] + X[vi, vj, vf0 % 2 * 32 + vf1]
          }
        }
      }
    }
    for i_1 in range(2) {
      for r in range(32) {
        block mean(vi_1: spatial(0, 2) = i_1, vr: reduce(0, 32) = r) {
          reads(Y[vi_1], Y_rf[vi_1, vr])
          writes(Y[vi_1])
          init {
            Y[vi_1] = f32(0)
          }
          Y[vi_1] = Y[vi_1] + Y_rf[vi_1, vr]
        }
      }
    }
  }
}
)",
                        "dependent_rf.ir");
}

// S[i] = sum over (j, k) of X[i, j, k] with the reduction bound by `jk_bindings`
// over loops r0 (extent e0) and r1 (extent e1) under `predicate`, then Y = 2 * S.
ir::PrimFunc reduction_then_scale(const std::string& jk_bindings, int e0, int e1, const std::string& predicate) {
  return ir::parse_func(R"(func f(X: f32[3, 3, 10], Y: f32[3]) {
  block root() {
    alloc S: f32[3]
    for i in range(3) {
      for r0 in range()" + std::to_string(e0) + R"() {
        for r1 in range()" + std::to_string(e1) + R"() {
          block S(vi: spatial(0, 3) = i, )" + jk_bindings + R"() where )" + predicate + R"( {
            reads(S[vi], X[vi, vj, vk])
            writes(S[vi])
            init {
              S[vi] = f32(0)
            }
            S[vi] = S[vi] + X[vi, vj, vk]
          }
        }
      }
    }
    for i2 in range(3) {
      block Y(vi: spatial(0, 3) = i2) {
        reads(S[vi])
        writes(Y[vi])
        Y[vi] = S[vi] * f32(2)
      }
    }
  }
}
)",
                        "reduction_then_scale.ir");
}

}  // namespace

TEST(ComputeAtBindings, RefusesDependentReductionIterators) {
  ir::PrimFunc func = dependent_rf_block();
  Schedule sch(func);
  BlockRV rf = get_block(sch, "mean_rf");
  LoopRV i = get_loops(sch, get_block(sch, "mean"))[0];
  EXPECT_SCHEDULE_ERROR(compute_at(sch, rf, i), "the reduction of block 'mean_rf' cannot be rebuilt under loop i_1");
  EXPECT_SCHEDULE_ERROR(compute_at(sch, rf, i), "reduction iterators vj, vf0 do not take the values of loop(s) f0 apart");
  EXPECT_SCHEDULE_ERROR(compute_at(sch, rf, i), "block mean_rf:");
  EXPECT_EQ(ir::to_text(sch.func()), ir::to_text(func));  // nothing changed
  // sample_compute_location offers no loop, only the root.
  EXPECT_SCHEDULE_ERROR(sample_compute_location(sch, rf, 0), "candidate loops: []");
  EXPECT_TRUE(same_results(func, apply_text(func, "b0 = get_block(\"mean_rf\")\n"
                                                  "l1 = sample_compute_location(b0) -> -1\n"
                                                  "compute_at(b0, l1, preserve_unit_loops=0)\n")
                                     .func()));
}

TEST(ComputeAtBindings, RefusesADependentConsumerInReverseComputeAt) {
  // The final reduction reads the partials through vj = r // 8 beside vr = r.
  ir::PrimFunc func = ir::parse_func(R"(func f(X: f32[2, 32], Y: f32[2]) {
  block root() {
    alloc P: f32[2, 32]
    for i in range(2) {
      for j in range(32) {
        block P(vi: spatial(0, 2) = i, vj: spatial(0, 32) = j) {
          reads(X[vi, vj])
          writes(P[vi, vj])
          P[vi, vj] = X[vi, vj] * f32(3)
        }
      }
    }
    for i2 in range(2) {
      for r in range(32) {
        block Y(vi: spatial(0, 2) = i2, vq: reduce(0, 4) = r // 8, vr: reduce(0, 32) = r) {
          reads(Y[vi], P[vi, vr])
          writes(Y[vi])
          init {
            Y[vi] = f32(0)
          }
          Y[vi] = Y[vi] + P[vi, vr]
        }
      }
    }
  }
}
)",
                                     "dependent_consumer.ir");
  Schedule sch(func);
  LoopRV i = get_loops(sch, get_block(sch, "P"))[0];
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(sch, get_block(sch, "Y"), i),
                        "reverse_compute_at: the reduction of block 'Y' cannot be rebuilt under loop i: reduction "
                        "iterators vq, vr do not take the values of loop(s) r apart");
}

TEST(ComputeAtBindings, AcceptsFusedAndCutReductions) {
  struct Case {
    const char* bindings;
    int e0, e1;
    const char* predicate;
  };
  for (Case c : {
           // j, k fused (30) and split [5, 6]
           Case{"vj: reduce(0, 3) = (r0 * 6 + r1) // 10, vk: reduce(0, 10) = (r0 * 6 + r1) % 10", 5, 6, "true"},
           // ... split [4, 8]: the predicate cuts the fused loops at 30
           Case{"vj: reduce(0, 3) = (r0 * 8 + r1) // 10, vk: reduce(0, 10) = (r0 * 8 + r1) % 10", 4, 8,
                "r0 * 8 + r1 < 30"},
           // k alone split [3, 4] (12 > 10) and j plain
           Case{"vj: reduce(0, 3) = r0 // 3, vk: reduce(0, 10) = r0 % 3 * 4 + r1", 9, 4, "r0 % 3 * 4 + r1 < 10"},
       }) {
    ir::PrimFunc func = reduction_then_scale(c.bindings, c.e0, c.e1, c.predicate);
    Schedule sch(func);
    compute_at(sch, get_block(sch, "S"), get_loops(sch, get_block(sch, "Y"))[0]);
    EXPECT_TRUE(same_results(func, sch.func())) << c.bindings;
  }
}

TEST(ComputeAtBindings, RefusesRepeatedSkippedOrCutReductions) {
  struct Case {
    const char* bindings;
    int e0, e1;
    const char* predicate;
    const char* why;
  };
  for (Case c : {
           // r1 runs each update 2 times
           Case{"vj: reduce(0, 3) = r0, vk: reduce(0, 10) = r1 // 2", 3, 20, "true", "do not take the values of loop(s) r1"},
           // the loops give 3 x 5 values of a 3 x 10 domain
           Case{"vj: reduce(0, 3) = r0, vk: reduce(0, 10) = r1 * 2", 3, 5, "true", "steps by 2"},
           // the predicate cuts the fused loops, not one binding: not a box
           Case{"vj: reduce(0, 3) = r0, vk: reduce(0, 10) = r1", 3, 10, "r0 * 10 + r1 < 25", "its predicate"},
           // a reduction loop no binding depends on
           Case{"vj: reduce(0, 3) = r0, vk: reduce(0, 10) = r1 // 20", 3, 10, "true", "binding takes the values [0, 1)"},
           // a binding that misses the end of its domain
           Case{"vj: reduce(0, 3) = r0, vk: reduce(0, 10) = r1", 3, 8, "true", "binding takes the values [0, 8)"},
       }) {
    ir::PrimFunc func = reduction_then_scale(c.bindings, c.e0, c.e1, c.predicate);
    Schedule sch(func);
    EXPECT_SCHEDULE_ERROR(compute_at(sch, get_block(sch, "S"), get_loops(sch, get_block(sch, "Y"))[0]), c.why);
  }
}

TEST(ComputeAtBindings, RefusesAReductionSplitAcrossTheNewLocation) {
  // Y adds up the partial sums of S after every step of r. Under loop b (inside
  // r), S would be rebuilt as the whole sum in each step.
  ir::PrimFunc func = ir::parse_func(R"(func f(X: f32[4, 6], Y: f32[4]) {
  block root() {
    alloc S: f32[4]
    for i in range(4) {
      for r in range(6) {
        block S(vi: spatial(0, 4) = i, vr: reduce(0, 6) = r) {
          reads(S[vi], X[vi, vr])
          writes(S[vi])
          init {
            S[vi] = f32(0)
          }
          S[vi] = S[vi] + X[vi, vr]
        }
        for b in range(2) {
          block Y(vi: spatial(0, 4) = i, vr: reduce(0, 6) = r, vb: reduce(0, 2) = b) {
            reads(Y[vi], S[vi])
            writes(Y[vi])
            init {
              Y[vi] = f32(0)
            }
            Y[vi] = Y[vi] + S[vi]
          }
        }
      }
    }
  }
}
)",
                                     "split_across.ir");
  Schedule sch(func);
  EXPECT_SCHEDULE_ERROR(compute_at(sch, get_block(sch, "S"), get_loops(sch, get_block(sch, "Y"))[2]),
                        "loop r encloses the new location and feeds reduction iterator 'vr' = r");
}
