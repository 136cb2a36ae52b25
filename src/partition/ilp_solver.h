// The partitioning ILP of one (padded) component, solved with GLPK's branch and cut.
//
// Variables: x[s,i] (unit i wears label s: one label per main op, pinned to it, and
// a "no main op" label), z[s,i,j] (edge i→j lies inside a kernel of label s), and
// order potentials π[i] (a kernel's place in the kernel graph, shared by its units).
// A kernel is a set of units joined by fused edges. Maximise the bytes of fused
// edges minus the bytes of values written out (o[v] >= 1 - fused(e) for each
// reading edge e of v: a value read by two kernels is written once) subject to:
// one label per unit; an edge is fused only under both ends' label (so a kernel holds at most one main op); never-fusible edges never fused,
// forced ones always; an RNG op fused with a consumer; at most one of each
// exclusive pair; π[j] ≥ π[i] + 1 across every cut edge and π[j] = π[i] along a
// fused one, so the kernel graph is acyclic (which implies every kernel is convex);
// a unit wears a main op's label only when fused to a neighbour wearing it
// (symmetry breaking). π may be continuous: for fixed binaries these are
// difference constraints, integral whenever feasible. Greedy fusion's solution is
// handed to branch and bound as its first incumbent.
#pragma once

#include <string>

#include "partition/problem.h"

namespace weft::partition {

struct IlpOptions {
  double time_limit_s = 5;    // per component
  double relative_gap = 0;    // 0: prove optimality
};

enum class IlpStatus { optimal, time_limit, infeasible };

struct IlpResult {
  IlpStatus status = IlpStatus::infeasible;
  Assignment assignment;  // set when optimal
  int columns = 0, rows = 0, binaries = 0;
  double seconds = 0;
};

IlpResult solve_ilp(const Problem& problem, const IlpOptions& options = {});
std::string_view ilp_status_name(IlpStatus status);

}  // namespace weft::partition
