#include "schedule/sampling.h"

#include <algorithm>

#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

namespace {

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) {
      out.push_back(p);
      n /= p;
    }
  if (n > 1) out.push_back(n);
  return out;
}

std::string tile_text(const std::vector<int64_t>& tile) {
  std::string s;
  for (int64_t f : tile) s += (s.empty() ? "" : ", ") + std::to_string(f);
  return s;
}

// One expression RV per factor, and the instruction with the factors as decision.
// A min_innermost of 1 is not written, so traces without a lower bound read as before.
std::vector<ExprRV> record_tile(Schedule& sch, const char* kind, LoopRV loop_rv, int n, int64_t max_innermost,
                                const std::vector<int64_t>& tile, int64_t min_innermost = 1) {
  std::vector<ExprRV> out;
  std::vector<RV> outs;
  Arg::List dec;
  for (int64_t f : tile) {
    out.push_back(sch.make_expr_rv(f));
    outs.push_back({RVKind::Expr, out.back().id});
    dec.push_back(Arg(f));
  }
  Attrs attrs = {{"n", Arg(static_cast<int64_t>(n))}, {"max_innermost", Arg(max_innermost)}};
  if (min_innermost > 1) attrs.push_back({"min_innermost", Arg(min_innermost)});
  sch.record({kind,
              {Arg(loop_rv)},
              attrs,
              outs,
              Arg(dec)});
  return out;
}

}  // namespace

// Scatters the prime factors of `extent` over n slots at random; then moves primes
// out of the innermost slot until it fits under the limit.
std::vector<int64_t> draw_perfect_tile(Rng& rng, int64_t extent, int n, int64_t max_innermost) {
  std::vector<int64_t> tile(n, 1);
  for (int64_t p : prime_factors(extent)) tile[rng.uniform_int(0, n - 1)] *= p;
  if (max_innermost > 0) {
    std::vector<int64_t> inner = prime_factors(tile[n - 1]);
    while (tile[n - 1] > max_innermost) {
      int64_t p = inner.back();
      inner.pop_back();
      tile[n - 1] /= p;
      tile[rng.uniform_int(0, n - 2)] *= p;
    }
  }
  return tile;
}

std::vector<ExprRV> sample_perfect_tile(Schedule& sch, LoopRV loop_rv, int n, int64_t max_innermost,
                                        const std::optional<std::vector<int64_t>>& decision) {
  ir::Var var = sch.loop_var(loop_rv);
  LoopSite site = *find_loop(sch.func(), var.get());
  int64_t extent = const_extent(site.node(), "sample_perfect_tile");
  if (n < 1) throw ScheduleError("sample_perfect_tile: n must be at least 1, got " + std::to_string(n));
  std::vector<int64_t> tile;
  if (decision) {
    tile = *decision;
    int64_t product = 1;
    for (int64_t f : tile) product *= f;
    bool ok = static_cast<int>(tile.size()) == n && product == extent &&
              std::all_of(tile.begin(), tile.end(), [](int64_t f) { return f >= 1; }) &&
              (max_innermost <= 0 || tile.back() <= max_innermost);
    if (!ok) {
      throw ScheduleError("sample_perfect_tile: decision [" + tile_text(tile) + "] is not " + std::to_string(n) +
                          " positive factors of " + std::to_string(extent) + " (loop " + var->name +
                          ") with the innermost at most " + std::to_string(max_innermost));
    }
  } else if (n == 1) {
    if (max_innermost > 0 && extent > max_innermost)
      throw ScheduleError("sample_perfect_tile: loop " + var->name + " of extent " + std::to_string(extent) +
                          " cannot be one tile of at most " + std::to_string(max_innermost));
    tile = {extent};
  } else {
    tile = draw_perfect_tile(sch.rng(), extent, n, max_innermost);
  }
  return record_tile(sch, "sample_perfect_tile", loop_rv, n, max_innermost, tile);
}

int64_t partial_tile_outer(int64_t extent, int64_t innermost) { return (extent + innermost - 1) / innermost; }

std::vector<ExprRV> sample_partial_tile(Schedule& sch, LoopRV loop_rv, int n, int64_t min_innermost,
                                        int64_t max_innermost, const std::optional<std::vector<int64_t>>& decision) {
  ir::Var var = sch.loop_var(loop_rv);
  LoopSite site = *find_loop(sch.func(), var.get());
  int64_t extent = const_extent(site.node(), "sample_partial_tile");
  if (n < 2) throw ScheduleError("sample_partial_tile: n must be at least 2, got " + std::to_string(n));
  if (min_innermost < 1 || max_innermost < min_innermost)
    throw ScheduleError("sample_partial_tile: innermost bounds must satisfy 1 <= min_innermost <= max_innermost, got " +
                        std::to_string(min_innermost) + " and " + std::to_string(max_innermost));
  int64_t limit = std::min(max_innermost, extent);
  int64_t floor = std::min(min_innermost, limit);  // a loop shorter than the bound is one tile
  std::vector<int64_t> tile;
  if (decision) {
    tile = *decision;
    bool ok = static_cast<int>(tile.size()) == n &&
              std::all_of(tile.begin(), tile.end(), [](int64_t f) { return f >= 1; }) && tile.back() <= limit &&
              tile.back() >= floor;
    int64_t product = 1;
    for (int k = 0; ok && k + 1 < n; ++k) product *= tile[k];
    if (!ok || product != partial_tile_outer(extent, tile.back())) {
      throw ScheduleError("sample_partial_tile: decision [" + tile_text(tile) + "] is not " + std::to_string(n) +
                          " positive factors for loop " + var->name + " of extent " + std::to_string(extent) +
                          ": an innermost r in [" + std::to_string(floor) + ", " + std::to_string(limit) +
                          "] after outer factors multiplying to ceil(" + std::to_string(extent) + " / r)");
    }
  } else {
    int64_t inner = sch.rng().uniform_int(floor, limit);
    tile = draw_perfect_tile(sch.rng(), partial_tile_outer(extent, inner), n - 1, 0);
    tile.push_back(inner);
  }
  return record_tile(sch, "sample_partial_tile", loop_rv, n, max_innermost, tile, min_innermost);
}

ExprRV sample_categorical(Schedule& sch, const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                          std::optional<int64_t> decision) {
  if (candidates.empty() || candidates.size() != probs.size())
    throw ScheduleError("sample_categorical: needs as many probabilities as candidates (" +
                        std::to_string(candidates.size()) + " candidates, " + std::to_string(probs.size()) +
                        " probabilities)");
  for (double p : probs)
    if (!(p >= 0)) throw ScheduleError("sample_categorical: probabilities must be non-negative");
  int64_t index;
  if (decision) {
    index = *decision;
    if (index < 0 || index >= static_cast<int64_t>(candidates.size()))
      throw ScheduleError("sample_categorical: decision " + std::to_string(index) + " is not an index into " +
                          std::to_string(candidates.size()) + " candidates");
  } else {
    index = static_cast<int64_t>(sch.rng().categorical(probs));
  }
  ExprRV out = sch.make_expr_rv(candidates[index]);
  Arg::List cands, ps;
  for (int64_t c : candidates) cands.push_back(Arg(c));
  for (double p : probs) ps.push_back(Arg(p));
  sch.record({"sample_categorical", {}, {{"candidates", Arg(cands)}, {"probs", Arg(ps)}}, {RV{RVKind::Expr, out.id}},
              Arg(index)});
  return out;
}

namespace {

std::vector<int64_t> int_list(const Arg& a, const std::string& what) {
  const auto* l = std::get_if<Arg::List>(&a.value);
  if (!l) throw ScheduleError(what + " must be a list of integers");
  std::vector<int64_t> out;
  for (const Arg& x : *l) out.push_back(ArgReader::as_int(x, what));
  return out;
}

using TileSampler = std::vector<ExprRV> (*)(Schedule& sch, LoopRV loop, int n, const ArgReader& attrs,
                                             const std::optional<std::vector<int64_t>>& decision);

// The instruction kind of a tile sampler: sample(loop, n=.., max_innermost=.., ...) -> [factors].
InstructionKind tile_instruction(const std::string& kind, TileSampler sample) {
  return {kind, RVKind::Expr, true, true,
          [kind, sample](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                         const std::optional<Arg>& decision) {
            ArgReader r(kind, in, attrs);
            r.expect_count(1);
            std::optional<std::vector<int64_t>> dec;
            if (decision) dec = int_list(*decision, kind + ": decision");
            std::vector<RV> out;
            for (ExprRV e : sample(sch, r.loop(0), static_cast<int>(r.attr_int("n")), r, dec))
              out.push_back({RVKind::Expr, e.id});
            return out;
          }};
}

const RegisterInstruction kPerfectTile(tile_instruction(
    "sample_perfect_tile",
    [](Schedule& sch, LoopRV loop, int n, const ArgReader& attrs, const std::optional<std::vector<int64_t>>& decision) {
      return sample_perfect_tile(sch, loop, n, attrs.attr_int("max_innermost", 0), decision);
    }));
const RegisterInstruction kPartialTile(tile_instruction(
    "sample_partial_tile",
    [](Schedule& sch, LoopRV loop, int n, const ArgReader& attrs, const std::optional<std::vector<int64_t>>& decision) {
      return sample_partial_tile(sch, loop, n, attrs.attr_int("min_innermost", 1), attrs.attr_int("max_innermost", 0),
                                 decision);
    }));

const RegisterInstruction kCategorical(
    {"sample_categorical", RVKind::Expr, true, true,
     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs, const std::optional<Arg>& decision) {
       ArgReader r("sample_categorical", in, attrs);
       r.expect_count(0);
       std::vector<double> probs;
       for (const Arg& p : r.attr_list("probs")) probs.push_back(ArgReader::as_double(p, "sample_categorical: probs"));
       std::optional<int64_t> dec;
       if (decision) dec = ArgReader::as_int(*decision, "sample_categorical: decision");
       ExprRV e = sample_categorical(sch, int_list(r.attr("candidates"), "sample_categorical: candidates"), probs, dec);
       return std::vector<RV>{{RVKind::Expr, e.id}};
     }});

}  // namespace
}  // namespace weft::sched
