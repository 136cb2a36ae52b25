// Keeping block bindings tidy after loop transformations: substitute the old loop
// variables and simplify every binding and predicate with the loop domains known
// at that point, so `(i_0 * 4 + i_1) // 4` reads `i_0` again.
#pragma once

#include <vector>

#include "ir/interval.h"
#include "ir/stmt.h"
#include "ir/substitute.h"

namespace weft::sched {

// Domains of the given For statements ([0, extent - 1] for constant extents).
ir::VarDomains loop_domains(const std::vector<ir::Stmt>& loops);
// Substitutes `map` in `stmt`, then simplifies the bindings and predicates of the
// block realizes under it (not inside the blocks), knowing `outer` plus the domains
// of the loops it passes on the way down.
ir::Stmt rewrite_bindings(const ir::Stmt& stmt, const ir::VarMap& map, const ir::VarDomains& outer);
// Adds `cond` to the predicate of every block realize directly under `stmt`.
ir::Stmt add_predicate(const ir::Stmt& stmt, const ir::Expr& cond);
// Constant extent of a loop, or ScheduleError naming the primitive and the loop.
int64_t const_extent(const ir::ForNode& loop, const char* primitive);

}  // namespace weft::sched
