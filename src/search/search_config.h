// The evolutionary search's parameters in one place. Defaults are MetaSchedule's
// (DESIGN.md, "Search and cost model"); the CLI can override each.
#pragma once

#include <cstdint>

namespace weft::search {

struct SearchConfig {
  int population = 512;              // candidates per generation
  double init_from_db = 0.2;         // share of the first population taken from measured bests
  int generations = 4;               // rounds of mutation per search round
  double mutation_prob = 0.85;       // a child is a mutant (else a copy of its parent)
  double eps_greedy = 0.05;          // share of a batch drawn at random instead of by score
  int batch = 64;                    // candidates measured per round
  int max_sample_failures = 256;     // give up drawing fresh samples after this many failures in a row
};

}  // namespace weft::search
