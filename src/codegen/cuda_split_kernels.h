// Splitting a CUDA program into kernels (the counterpart of TVM's SplitHostDevice).
//
// MetaSchedule-style CUDA schedules bind each top-level loop nest of the root
// block to its own blockIdx/threadIdx loops: softmax becomes four grids (row max,
// exp, row sum, normalise) with the row statistics in buffers the root block
// allocates. Thread blocks of one grid cannot wait for those of another, so each
// such nest is its own kernel, launched in order:
//
//   - a top-level statement that holds a loop bound to blockIdx.* / threadIdx.* is
//     one kernel; a run of consecutive statements without such a loop is one
//     single-thread kernel (grid 1, block 1);
//   - a buffer the root block allocates that several kernels use becomes a
//     scratch buffer: global memory the runner allocates for the whole program,
//     passed to each kernel that uses it after the function's parameters (its
//     scope becomes "global"; it is renamed when its name is taken);
//   - a buffer the root block allocates that one kernel uses stays that kernel's
//     root allocation (the emitter places it as for any single kernel).
// A function whose root body is one statement, or one run of unbound statements,
// stays one kernel, emitted exactly as a single-kernel program.
#pragma once

#include <string>
#include <vector>

#include "codegen/cuda_kernel.h"
#include "ir/stmt.h"

namespace weft::codegen {

struct KernelPart {
  // The kernel as a function: the program's parameters, then its scratch buffers
  // (in the order of scratch_args); its root block holds the kernel's statements.
  ir::PrimFunc func;
  std::vector<int> scratch_args;  // indices into SplitProgram::scratch
  bool bound = true;              // false: unbound statements, one thread
  std::vector<std::string> blocks;  // the blocks it runs, for messages
};

struct SplitProgram {
  std::vector<KernelPart> parts;  // launch order; one part holding the function as is when it is not split
  std::vector<ScratchBuffer> scratch;
};

// `func` as it will be emitted (after buffer compaction).
SplitProgram split_kernels(const ir::PrimFunc& func);

// Emits every part into one translation unit: entry points `<symbol>` for a
// single part, `<symbol>_0`, `<symbol>_1`, ... otherwise. A BuildError of a part
// names the kernel and its blocks.
CudaKernel emit_split_kernels(const SplitProgram& program, const std::string& symbol);

}  // namespace weft::codegen
