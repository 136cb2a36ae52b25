// Integer interval analysis: what range of values an index expression can take
// when its variables range over given domains.
//
// Intervals are inclusive and never empty. An open end is stored as a sentinel:
// `min == Interval::kNegInf` (INT64_MIN) means "no lower bound", `max ==
// Interval::kPosInf` (INT64_MAX) means "no upper bound"; arithmetic saturates to
// them, so a bound that would not fit in int64 becomes open. The analysis is
// sound: the true value always lies inside the interval it returns (it may be
// wider than necessary, never narrower).
//
// Overflow: an arithmetic result whose *finite* bounds leave its dtype's range may
// have wrapped around, so it becomes unbounded. Open bounds mean "no bound known":
// [0, +inf) + 1 is [1, +inf), so a caller that gives an open domain vouches that
// the arithmetic on it does not wrap. (Index arithmetic never comes near 2^31.)
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "ir/expr.h"

namespace weft::ir {

struct Interval {
  static constexpr int64_t kNegInf = INT64_MIN;
  static constexpr int64_t kPosInf = INT64_MAX;

  int64_t min = kNegInf;
  int64_t max = kPosInf;

  static Interval everything() { return {}; }
  // [v, v]; INT64_MIN / INT64_MAX themselves read as open ends.
  static Interval point(int64_t v) { return {v, v}; }
  // [lo, hi]; requires lo <= hi (InternalError otherwise).
  static Interval closed(int64_t lo, int64_t hi);
  // [min, min + extent - 1], the values a loop `range(min, min + extent)` takes;
  // requires extent >= 1 (InternalError otherwise).
  static Interval from_extent(int64_t min, int64_t extent);

  bool has_lower() const { return min != kNegInf; }
  bool has_upper() const { return max != kPosInf; }
  bool is_bounded() const { return has_lower() && has_upper(); }
  bool is_point() const { return is_bounded() && min == max; }
  bool contains(int64_t v) const { return min <= v && v <= max; }
  bool contains(const Interval& other) const { return min <= other.min && other.max <= max; }
  bool operator==(const Interval& other) const = default;
};

// The smallest interval holding both.
Interval interval_union(const Interval& a, const Interval& b);
// "[0, 15]", "[-inf, 3]", "[2, +inf]".
std::string to_string(const Interval& interval);

// Domains of variables, by variable node.
using VarDomains = std::unordered_map<const VarNode*, Interval>;

// An interval holding every value `e` can take when each variable in `domains`
// ranges over its domain. Variables without a domain are unbounded.
//   integers: +, -, *, floordiv and floormod (by constants or by intervals of one
//     sign), min, max, select (union of the branches, or one branch when the
//     condition is decided), casts between integer types and from bool, constants.
//   bool expressions: [0, 0] (always false), [1, 1] (always true) or [0, 1];
//     comparisons of integers are decided from their operands' intervals.
//   anything else (float expressions, loads, calls): unbounded.
// A division or remainder whose divisor interval contains 0 is unbounded.
Interval bound_of(const Expr& e, const VarDomains& domains);

}  // namespace weft::ir
