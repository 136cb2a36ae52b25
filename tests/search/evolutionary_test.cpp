// Evolutionary search on its own (no measuring): batches are distinct, unmeasured,
// deterministic for a seed, and every candidate computes what the workload does.
#include "search/evolutionary.h"

#include <gtest/gtest.h>

#include <set>

#include "ir/interpreter.h"
#include "ir/ndarray.h"
#include "ir/structural.h"
#include "ir/workload.h"
#include "search/space.h"
#include "support/rng.h"

namespace weft::search {
namespace {

SearchConfig small_config() {
  SearchConfig c;
  c.population = 48;
  c.generations = 2;
  c.batch = 12;
  return c;
}

EvolutionarySearch make_search(const ir::Workload& w, uint64_t seed) {
  Target t = host_cpu_target();
  return EvolutionarySearch(w.func, t, small_config(), generate_design_space(w.func, t, seed), default_mutators(t),
                            seed);
}

std::vector<std::string> hashes(const std::vector<Candidate>& batch) {
  std::vector<std::string> out;
  for (const auto& c : batch) out.push_back(c.hash);
  return out;
}

bool same_outputs(const ir::Workload& w, const ir::PrimFunc& candidate) {
  Rng rng(7);
  std::vector<ir::NDArray> a, b;
  for (const auto& p : w.func->params) a.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
  b = a;
  std::vector<ir::NDArray*> pa, pb;
  for (auto& x : a) pa.push_back(&x);
  for (auto& x : b) pb.push_back(&x);
  ir::interpret(w.func, pa);
  ir::interpret(candidate, pb);
  for (size_t i = a.size() - static_cast<size_t>(w.num_outputs); i < a.size(); ++i)
    if (!ir::compare(a[i], b[i]).ok) return false;
  return true;
}

TEST(EvolutionarySearch, BatchesAreDistinctCorrectAndDeterministic) {
  ir::Workload w = ir::make_workload("matmul:M=32,N=32,K=16");
  auto model = costmodel::make_cost_model("random", 1);
  EvolutionarySearch s1 = make_search(w, 5);
  std::vector<Candidate> batch = s1.next_batch(*model, {}, {});
  ASSERT_EQ(batch.size(), 12u);
  std::set<std::string> distinct;
  for (const Candidate& c : batch) {
    EXPECT_TRUE(distinct.insert(c.hash).second);
    EXPECT_EQ(c.hash, ir::structural_hash_hex(c.func));
    EXPECT_FALSE(c.features.empty());
    // The stored trace realizes to exactly the candidate's program.
    EXPECT_EQ(ir::structural_hash_hex(realize(c.trace, w.func, host_cpu_target()).func()), c.hash);
  }
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(same_outputs(w, batch[i].func)) << batch[i].trace.to_text();

  auto model2 = costmodel::make_cost_model("random", 1);
  EvolutionarySearch s2 = make_search(w, 5);
  EXPECT_EQ(hashes(s2.next_batch(*model2, {}, {})), hashes(batch));
}

TEST(EvolutionarySearch, NeverProposesWhatWasMeasured) {
  ir::Workload w = ir::make_workload("matmul:M=32,N=32,K=16");
  auto model = costmodel::make_cost_model("random", 2);
  EvolutionarySearch s = make_search(w, 9);
  std::vector<Candidate> first = s.next_batch(*model, {}, {});
  std::unordered_set<std::string> measured;
  std::vector<sched::Trace> elites;
  for (const Candidate& c : first) {
    measured.insert(c.hash);
    elites.push_back(c.trace);
  }
  std::vector<Candidate> second = s.next_batch(*model, elites, measured);
  EXPECT_FALSE(second.empty());
  for (const Candidate& c : second) EXPECT_EQ(measured.count(c.hash), 0u) << c.trace.to_text();
}

TEST(EvolutionarySearch, ASmallSpaceRunsDry) {
  // relu has few distinct programs: asking for more than exist ends with an empty batch.
  ir::Workload w = ir::make_workload("relu:M=4,N=4");
  auto model = costmodel::make_cost_model("random", 3);
  EvolutionarySearch s = make_search(w, 1);
  std::unordered_set<std::string> measured;
  for (int round = 0; round < 50; ++round) {
    std::vector<Candidate> batch = s.next_batch(*model, {}, measured);
    if (batch.empty()) return;
    for (const Candidate& c : batch) EXPECT_TRUE(measured.insert(c.hash).second);
  }
  FAIL() << "the space of relu:M=4,N=4 never ran dry; " << measured.size() << " programs";
}

std::string sketch_key(const sched::Trace& t) { return without_decisions(t).to_text(); }

// A sketch drawn once in 31 would be in a first batch of 12 (from a population of 48)
// by chance only now and then; unmeasured sketches go first, so it is in every one.
TEST(EvolutionarySearch, AnUnmeasuredSketchIsInTheFirstBatch) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=32");
  Target t = host_cpu_target();
  std::vector<sched::Trace> real = generate_design_space(w.func, t, 1);
  ASSERT_GE(real.size(), 2u);
  std::vector<sched::Trace> space(30, real.front());
  space.push_back(real.back());
  for (uint64_t seed : {1, 2, 3}) {
    auto model = costmodel::make_cost_model("random", seed);
    EvolutionarySearch s(w.func, t, small_config(), space, default_mutators(t), seed);
    std::vector<Candidate> batch = s.next_batch(*model, {}, {});
    ASSERT_EQ(batch.size(), 12u);
    int rare = 0;
    for (const Candidate& c : batch) rare += sketch_key(c.trace) == sketch_key(real.back());
    EXPECT_GE(rare, 1) << "seed " << seed;
  }
}

// At most half a batch goes to coverage: the GEMM's 11 sketches take two batches of 12.
TEST(EvolutionarySearch, EverySketchIsMeasuredWithinTheFirstBatches) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=32");
  Target t = host_cpu_target();
  std::vector<sched::Trace> space = generate_design_space(w.func, t, 2);
  ASSERT_EQ(space.size(), 11u);
  auto model = costmodel::make_cost_model("random", 4);
  EvolutionarySearch s(w.func, t, small_config(), space, default_mutators(t), 4);
  std::set<std::string> seen;
  std::unordered_set<std::string> measured;
  for (int round = 0; round < 2; ++round)
    for (const Candidate& c : s.next_batch(*model, {}, measured)) {
      measured.insert(c.hash);
      seen.insert(sketch_key(c.trace));
    }
  for (const sched::Trace& sketch : space) EXPECT_TRUE(seen.count(sketch_key(sketch))) << sketch.to_text();
}

}  // namespace
}  // namespace weft::search
