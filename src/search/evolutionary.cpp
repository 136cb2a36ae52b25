#include "search/evolutionary.h"

#include <algorithm>
#include <map>

#include "search/space.h"
#include "support/log.h"

namespace weft::search {

EvolutionarySearch::EvolutionarySearch(ir::PrimFunc func, Target target, SearchConfig config,
                                       std::vector<sched::Trace> space, std::vector<WeightedMutator> mutators,
                                       uint64_t seed)
    : func_(std::move(func)),
      target_(std::move(target)),
      config_(config),
      space_(std::move(space)),
      mutators_(std::move(mutators)),
      rng_(seed) {
  for (const auto& m : mutators_) mutator_weights_.push_back(m.probability);
  for (const sched::Trace& sketch : space_) sketch_keys_.push_back(without_decisions(sketch).to_text());
  sketch_measured_.assign(space_.size(), false);
}

std::optional<Candidate> EvolutionarySearch::sample_fresh() {
  if (space_.empty()) return std::nullopt;
  return sample_fresh(static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(space_.size()) - 1)));
}

std::optional<Candidate> EvolutionarySearch::sample_fresh(size_t index) {
  std::string why;
  auto c = make_candidate(without_decisions(space_.at(index)), func_, target_, rng_.next_u64(), &why);
  if (!c) {
    logger()->debug("a fresh sample of sketch {} failed: {}", index, why);
    return c;
  }
  c->sketch = static_cast<int>(index);
  return c;
}

void EvolutionarySearch::mark_measured(const std::string& sketch_key) {
  for (size_t k = 0; k < sketch_keys_.size(); ++k)
    if (sketch_keys_[k] == sketch_key) sketch_measured_[k] = true;
}

void EvolutionarySearch::note_measured_sketches(const std::vector<sched::Trace>& elites) {
  for (const sched::Trace& t : elites) mark_measured(without_decisions(t).to_text());
}

std::vector<Candidate> EvolutionarySearch::cover_sketches(
    const std::map<std::string, std::pair<double, Candidate>>& pool, const std::unordered_set<std::string>& measured,
    int limit) {
  std::vector<const std::pair<double, Candidate>*> best(space_.size(), nullptr);
  for (const auto& [hash, entry] : pool) {
    int k = entry.second.sketch;
    if (k >= 0 && (!best[k] || entry.first > best[k]->first)) best[k] = &entry;
  }
  std::vector<size_t> order;
  for (size_t k = 0; k < space_.size(); ++k)
    if (!sketch_measured_[k]) order.push_back(k);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  std::vector<Candidate> out;
  std::unordered_set<std::string> chosen;
  for (size_t k : order) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (sketch_measured_[k]) continue;  // a duplicate of a sketch covered just now
    std::optional<Candidate> c;
    if (best[k]) c = best[k]->second;
    for (int attempt = 0; attempt < 8 && !c; ++attempt) {
      c = sample_fresh(k);
      if (c && (measured.count(c->hash) || chosen.count(c->hash))) c.reset();
    }
    mark_measured(sketch_keys_[k]);  // even when nothing realizes: a sketch that never applies is not retried
    if (c && chosen.insert(c->hash).second) out.push_back(std::move(*c));
  }
  return out;
}

std::vector<Candidate> EvolutionarySearch::initial_population(const std::vector<sched::Trace>& elites) {
  std::vector<Candidate> pop;
  std::unordered_set<std::string> seen;
  int from_db = static_cast<int>(config_.population * config_.init_from_db);
  for (const sched::Trace& t : elites) {
    if (static_cast<int>(pop.size()) >= from_db) break;
    std::string why;
    auto c = make_candidate(t, func_, target_, rng_.next_u64(), &why);
    if (!c) {
      logger()->warn("a measured trace no longer realizes and is skipped: {}", why);
      continue;
    }
    if (seen.insert(c->hash).second) pop.push_back(std::move(*c));
  }
  fresh_.clear();
  int failures = 0;
  while (static_cast<int>(pop.size()) < config_.population && failures < config_.max_sample_failures) {
    auto c = sample_fresh();
    if (!c || !seen.insert(c->hash).second) {
      ++failures;  // a duplicate counts too: a small space runs dry
      continue;
    }
    failures = 0;
    fresh_.push_back(*c);
    pop.push_back(std::move(*c));
  }
  return pop;
}

std::optional<Candidate> EvolutionarySearch::mutate(const Candidate& parent) {
  if (mutators_.empty()) return std::nullopt;
  const Mutator& m = *mutators_[rng_.categorical(mutator_weights_)].mutator;
  auto trace = m.apply(parent.trace, func_, rng_);
  if (!trace) return std::nullopt;
  auto child = make_candidate(*trace, func_, target_, rng_.next_u64());
  if (child) child->sketch = parent.sketch;  // mutators change decisions only
  return child;
}

std::vector<Candidate> EvolutionarySearch::next_generation(const std::vector<Candidate>& parents,
                                                           const std::vector<double>& scores) {
  // Parents are drawn with probability rising with their predicted score.
  double lo = *std::min_element(scores.begin(), scores.end());
  double hi = *std::max_element(scores.begin(), scores.end());
  std::vector<double> weights;
  for (double s : scores) weights.push_back(hi > lo ? (s - lo) / (hi - lo) + 0.05 : 1.0);
  std::vector<Candidate> next;
  std::unordered_set<std::string> seen;
  for (size_t slot = 0; slot < parents.size(); ++slot) {
    const Candidate& parent = parents[rng_.categorical(weights)];
    std::optional<Candidate> child;
    if (rng_.uniform_real() < config_.mutation_prob) {
      for (int attempt = 0; attempt < 3 && !child; ++attempt) {
        child = mutate(parent);
        if (child && seen.count(child->hash)) child.reset();
      }
    }
    if (!child) {
      if (seen.count(parent.hash)) continue;
      child = parent;
    }
    seen.insert(child->hash);
    next.push_back(std::move(*child));
  }
  return next;
}

std::vector<Candidate> EvolutionarySearch::next_batch(costmodel::CostModel& model,
                                                      const std::vector<sched::Trace>& elites,
                                                      const std::unordered_set<std::string>& measured) {
  note_measured_sketches(elites);
  std::vector<Candidate> pop = initial_population(elites);
  // Every unmeasured program seen in any generation, with its best predicted score.
  std::map<std::string, std::pair<double, Candidate>> pool;
  for (int gen = 0; !pop.empty(); ++gen) {
    std::vector<costmodel::ProgramFeatures> features;
    for (const Candidate& c : pop) features.push_back(c.features);
    std::vector<double> scores = model.predict(features);
    for (size_t i = 0; i < pop.size(); ++i) {
      if (measured.count(pop[i].hash)) continue;
      auto [it, added] = pool.try_emplace(pop[i].hash, scores[i], pop[i]);
      if (!added) it->second.first = std::max(it->second.first, scores[i]);
    }
    if (gen == config_.generations) break;
    pop = next_generation(pop, scores);
  }

  std::vector<std::pair<double, const Candidate*>> ranked;
  for (const auto& [hash, entry] : pool) ranked.emplace_back(entry.first, &entry.second);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  std::vector<Candidate> batch = cover_sketches(pool, measured, std::max(1, config_.batch / 2));
  std::unordered_set<std::string> chosen;
  for (const Candidate& c : batch) chosen.insert(c.hash);
  int n_random = static_cast<int>(config_.batch * config_.eps_greedy + 0.5);
  int n_best = config_.batch - n_random;
  for (const auto& [score, c] : ranked) {
    if (static_cast<int>(batch.size()) >= n_best) break;
    if (chosen.insert(c->hash).second) batch.push_back(*c);
  }
  // Exploration: random fresh samples, then (if the pool ran short) more best ones.
  std::vector<Candidate> fresh = fresh_;
  for (size_t i = fresh.size(); i > 1; --i)
    std::swap(fresh[i - 1], fresh[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(i) - 1))]);
  for (const Candidate& c : fresh) {
    if (static_cast<int>(batch.size()) >= config_.batch) break;
    if (measured.count(c.hash) || !chosen.insert(c.hash).second) continue;
    batch.push_back(c);
  }
  for (const auto& [score, c] : ranked) {
    if (static_cast<int>(batch.size()) >= config_.batch) break;
    if (chosen.insert(c->hash).second) batch.push_back(*c);
  }
  return batch;
}

}  // namespace weft::search
