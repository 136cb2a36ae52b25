// tensorize with the CUDA tensor-core intrinsics (schedule/intrinsics_cuda.cpp):
// the registry, matching blocks (annotated, scalar body kept, interpreter result
// unchanged), blocks rejected with the reason, and the whole GEMM schedule.
#include "codegen/cuda_tensorcore_schedule.h"
#include "ir/functor.h"
#include "ir/workload.h"
#include "schedule/intrinsics.h"
#include "schedule/primitives_blockize.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

const char* const kCudaIntrinsics[] = {
    "cuda_ldmatrix_a_bf16", "cuda_ldmatrix_a_f16",         "cuda_ldmatrix_b_bf16",          "cuda_ldmatrix_b_f16",
    "cuda_mma_fill_f32",    "cuda_mma_m16n8k16_bf16bf16f32", "cuda_mma_m16n8k16_f16f16f32", "cuda_mma_store_f32"};

// One 16 x 8 x 16 mma tile of a 32 x 16 x 32 f16 matmul, operands in fragments:
// the block C under loops i_0, j_0, k_0 | i_1 (16), j_1 (8), k_1 (16).
struct MmaTile {
  Schedule sch;
  BlockRV c;
  LoopRV i_1;
  LoopRV k_0;
};
MmaTile mma_tile(const std::string& dtype, const std::string& a_scope = "frag.matrix_a") {
  ir::PrimFunc f = ir::make_workload("matmul:M=32,N=16,K=32,dtype=" + dtype).func;
  Schedule sch(f);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto is = split(sch, loops[0], {Arg(), Arg(16)});
  auto js = split(sch, loops[1], {Arg(), Arg(8)});
  auto ks = split(sch, loops[2], {Arg(), Arg(16)});
  reorder(sch, {is[0], js[0], ks[0], is[1], js[1], ks[1]});
  cache_write(sch, c, 0, "frag.accumulator");
  cache_read(sch, c, 1, a_scope);
  cache_read(sch, c, 2, "frag.matrix_b");
  decompose_reduction(sch, c, ks[0]);
  return {sch, c, is[1], ks[0]};
}

const ir::BlockNode& block_named(const ir::PrimFunc& f, const std::string& name) {
  const ir::BlockNode* found = nullptr;
  struct Finder : ir::IRVisitor {
    std::string name;
    const ir::BlockNode** out;
    void visit_block(const ir::BlockNode& b) override {
      if (b.name == name) *out = &b;
      ir::IRVisitor::visit_block(b);
    }
  } finder;
  finder.name = name;
  finder.out = &found;
  finder.visit_stmt(f->body);
  if (!found) throw std::runtime_error("no block " + name);
  return *found;
}

}  // namespace

TEST(TensorizeCuda, IntrinsicsAreRegisteredForCuda) {
  for (const char* name : kCudaIntrinsics) {
    ASSERT_TRUE(has_intrinsic(name)) << name;
    const TensorIntrinsic& in = get_intrinsic(name);
    EXPECT_EQ(in.target, "cuda") << name;
    EXPECT_EQ(ir::to_text(in.desc), ir::to_text(in.impl)) << name << ": the implementation is the description";
  }
  const TensorIntrinsic& mma = get_intrinsic("cuda_mma_m16n8k16_bf16bf16f32");
  ASSERT_EQ(mma.desc->params.size(), 3u);
  EXPECT_EQ(mma.param_scopes, (std::vector<std::string>{"frag.matrix_a", "frag.matrix_b", "frag.accumulator"}));
  EXPECT_EQ(mma.desc->params[0]->dtype, ir::DType::bf16);
  EXPECT_EQ(mma.desc->params[1]->shape, (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(get_intrinsic("cuda_ldmatrix_b_f16").param_scopes, (std::vector<std::string>{"shared", "frag.matrix_b"}));
  EXPECT_EQ(get_intrinsic("cuda_mma_store_f32").param_scopes,
            (std::vector<std::string>{"frag.accumulator", "global"}));
}

TEST(TensorizeCuda, MmaMatchesAndKeepsTheScalarBody) {
  for (const std::string dtype : {"f16", "bf16"}) {
    MmaTile t = mma_tile(dtype);
    ir::PrimFunc before = t.sch.func();
    std::string intrin = "cuda_mma_m16n8k16_" + dtype + dtype + "f32";
    tensorize(t.sch, t.i_1, intrin);
    const ir::BlockNode& outer = block_named(t.sch.func(), "C_o");
    ASSERT_TRUE(outer.annotations.count(kTensorIntrinAnnotation)) << ir::to_text(t.sch.func());
    EXPECT_EQ(std::get<std::string>(outer.annotations.at(kTensorIntrinAnnotation)), intrin);
    std::string text = ir::to_text(t.sch.func());
    EXPECT_NE(text.find("annotate(tensor_intrin=\"" + intrin + "\")"), std::string::npos) << text;
    // The scalar description stays: the interpreter computes the same product.
    EXPECT_NE(text.find("cast(f32, A_frag_matrix_a["), std::string::npos) << text;
    EXPECT_TRUE(same_results(before, t.sch.func()));
    EXPECT_TRUE(same_results(ir::make_workload("matmul:M=32,N=16,K=32,dtype=" + dtype).func, t.sch.func()));
    expect_replays(t.sch, ir::make_workload("matmul:M=32,N=16,K=32,dtype=" + dtype).func);
  }
}

TEST(TensorizeCuda, OperandInTheWrongScopeIsRejected) {
  // A read from shared memory where the mma needs an A fragment.
  MmaTile t = mma_tile("f16", "shared");
  std::string before = ir::to_text(t.sch.func());
  EXPECT_SCHEDULE_ERROR(tensorize(t.sch, t.i_1, "cuda_mma_m16n8k16_f16f16f32"),
                        "tensorize: block 'C_o' does not match intrinsic 'cuda_mma_m16n8k16_f16f16f32': access "
                        "A_shared[...] for the description's A: 'A_shared' is in scope shared, the intrinsic needs "
                        "frag.matrix_a");
  EXPECT_EQ(ir::to_text(t.sch.func()), before) << "a failed tensorize changes nothing";
}

TEST(TensorizeCuda, WrongTypeOrTileIsRejected) {
  MmaTile t = mma_tile("f16");
  EXPECT_SCHEDULE_ERROR(tensorize(t.sch, t.i_1, "cuda_mma_m16n8k16_bf16bf16f32"),
                        "found 'A_frag_matrix_a[vi_o * 16 + vi_i, vk_o * 16 + vk_i]' where the description has 'A[vi, vk]'");
  // The whole k loop is 32 long: the tile under k_0 has 16 + 16 = 32 reduction steps.
  MmaTile u = mma_tile("f16");
  EXPECT_SCHEDULE_ERROR(tensorize(u.sch, u.k_0, "cuda_mma_m16n8k16_f16f16f32"),
                        "does not match intrinsic 'cuda_mma_m16n8k16_f16f16f32'");
  // The block still reducing with an init (no decompose_reduction) does not match the fill.
  ir::PrimFunc f = ir::make_workload("matmul:M=16,N=8,K=16,dtype=f16").func;
  Schedule sch(f);
  BlockRV c = get_block(sch, "C");
  cache_write(sch, c, 0, "frag.accumulator");
  cache_read(sch, c, 1, "frag.matrix_a");
  cache_read(sch, c, 2, "frag.matrix_b");
  EXPECT_SCHEDULE_ERROR(tensorize(sch, get_loops(sch, c)[0], "cuda_mma_fill_f32"), "does not match intrinsic");
}

TEST(TensorizeCuda, WholeGemmScheduleTensorizesEveryPiece) {
  for (const std::string dtype : {"f16", "bf16"}) {
    test::TensorCoreTiles tiles;
    tiles.M = 64;
    tiles.N = 128;
    tiles.K = 64;
    tiles.dtype = dtype;
    std::string spec = test::tensor_core_spec(tiles);
    ir::PrimFunc original = ir::make_workload(spec).func;
    Schedule sch = replay(Trace::parse_text(test::tensor_core_trace(tiles), spec), original);
    std::string text = ir::to_text(sch.func());
    for (const std::string& intrin :
         std::vector<std::string>{"cuda_ldmatrix_a_" + dtype, "cuda_ldmatrix_b_" + dtype, "cuda_mma_fill_f32",
                                  "cuda_mma_m16n8k16_" + dtype + dtype + "f32", "cuda_mma_store_f32"})
      EXPECT_NE(text.find("annotate(tensor_intrin=\"" + intrin + "\")"), std::string::npos) << intrin << "\n" << text;
    EXPECT_TRUE(same_results(original, sch.func()));
  }
}
