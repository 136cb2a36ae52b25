// Evolutionary search for one task (DESIGN.md, "Search and cost model"): each round
// starts from the best measured candidates and fresh samples of the design space,
// breeds a few generations by mutating parents chosen by predicted score, and picks
// the batch to measure eps-greedily: mostly the best predicted unmeasured programs,
// a few random fresh samples. Before that, every sketch with no program measured yet
// (none in this search's batches, none among the elites) gets its best-predicted
// fresh sample into the batch, up to half of it: with a dozen sketches and a model
// that knows nothing, a 48-trial run otherwise never measured the one sketch that
// reaches 100 GFLOP/s (weft's addition; MetaSchedule samples sketches uniformly).
#pragma once

#include <map>
#include <string>
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
  // The same from sketch `index` of the space.
  std::optional<Candidate> sample_fresh(size_t index);

 private:
  std::vector<Candidate> initial_population(const std::vector<sched::Trace>& elites);
  std::vector<Candidate> next_generation(const std::vector<Candidate>& parents, const std::vector<double>& scores);
  std::optional<Candidate> mutate(const Candidate& parent);
  // Marks every sketch whose trace without decisions is `sketch_key` as measured.
  void mark_measured(const std::string& sketch_key);
  // Marks the sketches the elites come from as measured.
  void note_measured_sketches(const std::vector<sched::Trace>& elites);
  // The best-predicted fresh candidate (or a new one) of each unmeasured sketch, at
  // most `limit`, skipping `measured`; marks their sketches measured.
  std::vector<Candidate> cover_sketches(const std::map<std::string, std::pair<double, Candidate>>& pool,
                                        const std::unordered_set<std::string>& measured, int limit);

  ir::PrimFunc func_;
  Target target_;
  SearchConfig config_;
  std::vector<sched::Trace> space_;
  std::vector<WeightedMutator> mutators_;
  std::vector<double> mutator_weights_;  // their probabilities, for Rng::categorical
  Rng rng_;
  std::vector<Candidate> fresh_;  // the fresh samples of the current round, for eps-greedy picks
  std::vector<std::string> sketch_keys_;  // each sketch's trace without decisions, to recognise its programs
  std::vector<bool> sketch_measured_;
};

}  // namespace weft::search
