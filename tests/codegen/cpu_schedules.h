// CPU schedules shared by codegen tests, as trace text, and replaying them.
#pragma once

#include <string>

#include "ir/workload.h"
#include "schedule/replay.h"

namespace weft::test {

// The workload `spec` scheduled by `trace`.
inline ir::PrimFunc scheduled(const std::string& spec, const std::string& trace) {
  return sched::replay(sched::Trace::parse_text(trace), ir::make_workload(spec).func).func();
}

// A GEMM register tile of 6 rows x 16 columns (12 accumulators) in `row_blocks`
// row blocks, its local accumulator written back per row tile; with
// `fuse_parallel` the row blocks and j0 are fused into the parallel loop, as the
// parallel postprocessor does.
inline std::string six_row_tile(int row_blocks, bool fuse_parallel) {
  return R"(c = get_block("C")
i, j, k = get_loops(c)
i0, i1, i2 = split(i, [)" +
         std::to_string(row_blocks) + R"(, None, 6])
j0, j1 = split(j, [None, 16])
reorder(i0, j0, i1, k, i2, j1)
cw = cache_write(c, 0, "local")
reverse_compute_at(cw, i1)
init = decompose_reduction(c, k)
)" + (fuse_parallel ? "f = fuse(i0, j0)\nparallel(f)\n" : "parallel(i0)\n") +
         R"(unroll(i2)
vectorize(j1)
)";
}

// Two parallel halves: 6 divides few row counts, so the last tile of each half is
// guarded.
inline const std::string kSixRowTile = six_row_tile(2, false);

}  // namespace weft::test
