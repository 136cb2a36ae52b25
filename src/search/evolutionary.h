// Evolutionary search for one task (DESIGN.md, "Search and cost model"): each round
// starts from the best measured candidates and fresh samples of the design space,
// breeds a few generations by mutating parents chosen by predicted score, and picks
// the batch to measure eps-greedily: mostly the best predicted unmeasured programs,
// a few random fresh samples.
#pragma once

#include <unordered_set>
#include <vector>

#include "costmodel/cost_model.h"
#include "search/candidate.h"
#include "search/mutator.h"
#include "search/search_config.h"
#include "support/rng.h"

namespace weft::search {

class EvolutionarySearch {
 public:
  // `space`: the design-space sketches of `func` (generate_design_space).
  EvolutionarySearch(ir::PrimFunc func, Target target, SearchConfig config, std::vector<sched::Trace> space,
                     std::vector<WeightedMutator> mutators, uint64_t seed);

  // At most config.batch candidates, distinct, none of whose hash is in `measured`.
  // `elites`: traces of the best measured candidates, best first. Empty when the
  // space has nothing left to offer.
  std::vector<Candidate> next_batch(costmodel::CostModel& model, const std::vector<sched::Trace>& elites,
                                    const std::unordered_set<std::string>& measured);

  // Draws one fresh random candidate (a random sketch with fresh decisions).
  std::optional<Candidate> sample_fresh();

 private:
  std::vector<Candidate> initial_population(const std::vector<sched::Trace>& elites);
  std::vector<Candidate> next_generation(const std::vector<Candidate>& parents, const std::vector<double>& scores);
  std::optional<Candidate> mutate(const Candidate& parent);

  ir::PrimFunc func_;
  Target target_;
  SearchConfig config_;
  std::vector<sched::Trace> space_;
  std::vector<WeightedMutator> mutators_;
  std::vector<double> mutator_weights_;  // their probabilities, for Rng::categorical
  Rng rng_;
  std::vector<Candidate> fresh_;  // the fresh samples of the current round, for eps-greedy picks
};

}  // namespace weft::search
