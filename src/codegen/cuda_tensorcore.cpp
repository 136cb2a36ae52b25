// Map: intrinsic table -> warp-mode checks -> fragment layout -> operand lookup
// -> one emitter per intrinsic -> PTX prelude. Design in cuda_tensorcore.h.
#include "codegen/cuda_tensorcore.h"

#include <map>
#include <numeric>

#include "codegen/cuda_emitter.h"
#include "codegen/index_analysis.h"
#include "ir/expr_order.h"
#include "ir/functor.h"
#include "ir/linear_form.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

namespace {

enum class IntrinKind { Mma, LoadA, LoadB, Fill, Store };

struct IntrinInfo {
  IntrinKind kind;
  DType input = DType::f32;  // mma and ldmatrix: the 16-bit element type
};

const std::map<std::string, IntrinInfo>& intrinsic_table() {
  static const std::map<std::string, IntrinInfo> table = {
      {"cuda_mma_m16n8k16_f16f16f32", {IntrinKind::Mma, DType::f16}},
      {"cuda_mma_m16n8k16_bf16bf16f32", {IntrinKind::Mma, DType::bf16}},
      {"cuda_ldmatrix_a_f16", {IntrinKind::LoadA, DType::f16}},
      {"cuda_ldmatrix_a_bf16", {IntrinKind::LoadA, DType::bf16}},
      {"cuda_ldmatrix_b_f16", {IntrinKind::LoadB, DType::f16}},
      {"cuda_ldmatrix_b_bf16", {IntrinKind::LoadB, DType::bf16}},
      {"cuda_mma_fill_f32", {IntrinKind::Fill}},
      {"cuda_mma_store_f32", {IntrinKind::Store}},
  };
  return table;
}

// Tile shape (rows, cols) and elements per lane of a fragment scope.
struct TileShape {
  int64_t rows, cols, per_lane;
};
TileShape tile_of(const std::string& scope) {
  if (scope == "frag.matrix_a") return {16, 16, 8};
  if (scope == "frag.matrix_b") return {16, 8, 4};
  return {16, 8, 4};  // frag.accumulator
}

class WarpIntrinsicFinder : public IRVisitor {
 public:
  explicit WarpIntrinsicFinder(const PrimFunc& func) : func_(func) {}
  bool found = false;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    bool lanes = n.for_kind == ForKind::ThreadBinding && n.thread_tag == "threadIdx.x";
    if (lanes) lane_loops_.push_back(&n);
    IRVisitor::visit(n, s);
    if (lanes) lane_loops_.pop_back();
  }
  void visit_block(const BlockNode& b) override {
    std::string name = tensor_intrinsic_of(b);
    if (name.empty()) {
      IRVisitor::visit_block(b);
      return;
    }
    std::string where = "function '" + func_->name + "': block '" + b.name + "' ";
    if (!is_known_tensor_intrinsic(name))
      throw BuildError(where + "names tensor intrinsic '" + name + "', which the CUDA emitter does not know");
    if (!lane_loops_.empty())
      throw BuildError(where + "runs tensor intrinsic '" + name + "' inside loop '" +
                       lane_loops_.back()->loop_var->name +
                       "' bound to threadIdx.x: a warp intrinsic needs all 32 lanes (threadIdx.x) together");
    found = true;
  }

 private:
  const PrimFunc& func_;
  std::vector<const ForNode*> lane_loops_;
};

class FragmentAccessCheck : public IRVisitor {
 public:
  explicit FragmentAccessCheck(const PrimFunc& func) : func_(func) {}

 protected:
  void visit_block(const BlockNode& b) override {
    if (!tensor_intrinsic_of(b).empty()) return;  // emitted as the intrinsic
    block_ = b.name;
    IRVisitor::visit_block(b);
  }
  void visit(const BufferLoadNode& n, const Expr& e) override {
    check(n.buffer);
    IRVisitor::visit(n, e);
  }
  void visit(const BufferStoreNode& n, const Stmt& s) override {
    check(n.buffer);
    IRVisitor::visit(n, s);
  }

 private:
  void check(const Buffer& b) {
    if (is_fragment_scope(b->scope))
      throw BuildError("function '" + func_->name + "': block '" + block_ + "' accesses fragment '" + b->name + "' (" +
                       b->scope + ") outside a tensor intrinsic; fragments live in the registers of a warp's lanes and "
                       "only tensorized blocks can touch them");
  }
  const PrimFunc& func_;
  std::string block_;
};

// ---- operands ---------------------------------------------------------------------

std::string describe(const BlockNode& b, const std::string& intrin) {
  return "block '" + b.name + "' (tensor intrinsic " + intrin + ")";
}

const BufferRegion& find_region(const BlockNode& b, const std::string& intrin, const std::vector<BufferRegion>& regions,
                                const std::string& scope, const char* role) {
  for (const BufferRegion& r : regions) {
    bool fits = scope == "shared"   ? r.buffer->scope.rfind("shared", 0) == 0
                : scope == "memory" ? !is_fragment_scope(r.buffer->scope)
                                    : r.buffer->scope == scope;
    if (fits) return r;
  }
  throw BuildError(describe(b, intrin) + " has no " + role + " region in scope " + scope);
}

// `e` is a provable multiple of `m`.
bool multiple_of(const Expr& e, int64_t m) {
  ExprOrder order;
  LinearForm f = LinearForm::of(e, order);
  int64_t g = f.content();
  return g % m == 0;
}

// Checks a region's extents: leading dimensions 1, the last two `rows` x `cols`.
void check_tile(const BlockNode& b, const std::string& intrin, const BufferRegion& r, int64_t rows, int64_t cols) {
  int n = r.buffer->ndim();
  bool ok = n >= 2;
  for (int d = 0; ok && d < n; ++d) {
    int64_t want = d == n - 2 ? rows : d == n - 1 ? cols : 1, got;
    ok = is_const_int(r.region[d].extent, &got) && got == want;
  }
  if (!ok)
    throw BuildError(describe(b, intrin) + ": the region of '" + r.buffer->name + "' is not one " +
                     std::to_string(rows) + " x " + std::to_string(cols) + " tile");
}

std::vector<Expr> mins_of(const BufferRegion& r) {
  std::vector<Expr> out;
  for (const Range& rg : r.region) out.push_back(rg.min);
  return out;
}

// The register offset of a fragment tile: tile-major over the buffer.
std::string fragment_offset(CudaEmitter& e, const BlockNode& b, const std::string& intrin, const BufferRegion& r) {
  TileShape t = tile_of(r.buffer->scope);
  check_tile(b, intrin, r, t.rows, t.cols);
  int n = r.buffer->ndim();
  std::string tile;
  for (int d = 0; d < n; ++d) {
    int64_t unit = d == n - 2 ? t.rows : d == n - 1 ? t.cols : 1;
    int64_t count = r.buffer->shape[d] / unit;
    if (!multiple_of(r.region[d].min, unit))
      throw BuildError(describe(b, intrin) + ": the tile of fragment '" + r.buffer->name + "' starts at " +
                       e.expr(r.region[d].min) + " in dimension " + std::to_string(d) +
                       ", not a provable multiple of " + std::to_string(unit));
    std::string index = unit == 1 ? e.expr(r.region[d].min) : "(" + e.expr(r.region[d].min) + ") / " + std::to_string(unit);
    tile = tile.empty() ? index : "(" + tile + ") * " + std::to_string(count) + " + " + index;
  }
  int64_t regs = r.buffer->dtype == DType::f32 ? t.per_lane : t.per_lane / 2;
  return "(" + tile + ") * " + std::to_string(regs);
}

// Flat element index of a region's first element, the row stride (elements) and
// the largest power of two (up to 16) the index is a provable multiple of.
struct MemoryTile {
  std::string base;
  int64_t row_stride;
  int64_t alignment;
};
MemoryTile memory_tile(CudaEmitter& e, const BufferRegion& r) {
  const Buffer& buf = r.buffer;
  std::optional<std::vector<int64_t>> linear = linear_strides(buf, e.layouts());
  if (!linear)
    throw BuildError("buffer '" + buf->name + "' is stored in blocks (storage_block); a tensor-core tile needs rows");
  const std::vector<int64_t>& stride = *linear;
  Expr flat = flat_index(buf, mins_of(r), &e.layouts());
  // Per dimension (flat_index casts narrow indices, which would hide their factors).
  int64_t alignment = 16;
  for (int d = 0; d < buf->ndim(); ++d)
    while (alignment > 1 && !multiple_of(r.region[d].min, alignment / std::gcd(alignment, stride[d]))) alignment /= 2;
  return {e.expr(flat), stride[buf->ndim() - 2], alignment};
}

// ---- the intrinsics ---------------------------------------------------------------

// A block's regions with its iterators replaced by their bindings and simplified,
// so that the compacted buffers' offsets cancel (the tile offsets of fragments
// become plain loop variables, constants once the loops are unrolled).
struct Regions {
  std::vector<BufferRegion> reads, writes;
};
Regions bound_regions(CudaEmitter& e, const BlockRealizeNode& realize) {
  VarMap bindings;
  for (size_t i = 0; i < realize.iter_values.size(); ++i)
    bindings[realize.block->iter_vars[i].var.get()] = realize.iter_values[i];
  auto bind = [&](const std::vector<BufferRegion>& in) {
    std::vector<BufferRegion> out;
    for (const BufferRegion& r : in) {
      BufferRegion b{r.buffer, {}};
      for (const Range& rg : r.region) b.region.push_back({simplify(substitute(rg.min, bindings), e.domains()), rg.extent});
      out.push_back(b);
    }
    return out;
  };
  return {bind(realize.block->reads), bind(realize.block->writes)};
}

void emit_mma(CudaEmitter& e, const BlockNode& b, const Regions& rg, const std::string& name, const IntrinInfo& info) {
  const BufferRegion& c = find_region(b, name, rg.writes, "frag.accumulator", "accumulator");
  const BufferRegion& a = find_region(b, name, rg.reads, "frag.matrix_a", "A operand");
  const BufferRegion& bb = find_region(b, name, rg.reads, "frag.matrix_b", "B operand");
  if (a.buffer->dtype != info.input || bb.buffer->dtype != info.input || c.buffer->dtype != DType::f32)
    throw BuildError(describe(b, name) + ": operand types differ from the intrinsic's");
  const char* fn = info.input == DType::f16 ? "wtc::mma_m16n8k16_f16" : "wtc::mma_m16n8k16_bf16";
  e.line(std::string(fn) + "(&" + e.buffer_name(c.buffer) + "[" + fragment_offset(e, b, name, c) + "], &" +
         e.buffer_name(a.buffer) + "[" + fragment_offset(e, b, name, a) + "], &" + e.buffer_name(bb.buffer) + "[" +
         fragment_offset(e, b, name, bb) + "]);");
}

void emit_ldmatrix(CudaEmitter& e, const BlockNode& b, const Regions& rg, const std::string& name, bool a_operand,
                   const std::string& lane) {
  const BufferRegion& dst =
      find_region(b, name, rg.writes, a_operand ? "frag.matrix_a" : "frag.matrix_b", "fragment");
  const BufferRegion& src = find_region(b, name, rg.reads, "shared", "shared-memory source");
  check_tile(b, name, src, 16, a_operand ? 16 : 8);
  MemoryTile m = memory_tile(e, src);
  // ldmatrix reads eight 16-byte rows per matrix: every row address 16-byte aligned.
  if (m.row_stride % 8 != 0 || m.alignment % 8 != 0)
    throw BuildError(describe(b, name) + ": rows of '" + src.buffer->name +
                     "' are not provably 16-byte aligned (row stride " + std::to_string(m.row_stride) +
                     " elements, first element " + m.base + "); ldmatrix needs aligned rows");
  std::string address = "&" + e.buffer_name(src.buffer) + "[" + m.base + " + (" + lane + " % 16) * " +
                        std::to_string(m.row_stride) + (a_operand ? " + (" + lane + " / 16) * 8" : std::string()) + "]";
  e.line(std::string(a_operand ? "wtc::ldmatrix_x4(" : "wtc::ldmatrix_x2_trans(") + "&" + e.buffer_name(dst.buffer) + "[" +
         fragment_offset(e, b, name, dst) + "], " + address + ");");
}

void emit_fill(CudaEmitter& e, const BlockNode& b, const Regions& rg, const std::string& name) {
  const BufferRegion& c = find_region(b, name, rg.writes, "frag.accumulator", "accumulator");
  std::string at = fragment_offset(e, b, name, c);
  for (int r = 0; r < 4; ++r) e.line(e.buffer_name(c.buffer) + "[" + at + " + " + std::to_string(r) + "] = 0.0f;");
}

void emit_store(CudaEmitter& e, const BlockNode& b, const Regions& rg, const std::string& name, const std::string& lane) {
  const BufferRegion& c = find_region(b, name, rg.reads, "frag.accumulator", "accumulator");
  const BufferRegion& dst = find_region(b, name, rg.writes, "memory", "destination");
  check_tile(b, name, dst, 16, 8);
  MemoryTile m = memory_tile(e, dst);
  std::string at = fragment_offset(e, b, name, c);
  std::string frag = e.buffer_name(c.buffer), out = e.buffer_name(dst.buffer);
  std::string ld = std::to_string(m.row_stride);
  // c0, c1: row lane / 4, columns 2 * (lane % 4) + {0, 1}; c2, c3: eight rows below.
  e.line("const int64_t row = " + m.base + " + (" + lane + " / 4) * " + ld + " + (" + lane + " % 4) * 2;");
  for (int r = 0; r < 4; ++r) {
    std::string index = "row" + std::string(r >= 2 ? " + 8 * " + ld : "") + (r % 2 ? " + 1" : "");
    e.line(out + "[" + index + "] = " + frag + "[" + at + " + " + std::to_string(r) + "];");
  }
}

}  // namespace

std::string tensor_intrinsic_of(const BlockNode& block) {
  auto it = block.annotations.find(kTensorIntrinKey);
  if (it == block.annotations.end()) return "";
  const auto* s = std::get_if<std::string>(&it->second);
  return s ? *s : std::string("<not a string>");
}

bool is_known_tensor_intrinsic(const std::string& name) { return intrinsic_table().count(name) != 0; }

bool uses_warp_intrinsics(const PrimFunc& func) {
  WarpIntrinsicFinder f(func);
  f.visit_stmt(func->body);
  return f.found;
}

bool is_fragment_scope(const std::string& scope) { return scope.rfind("frag.", 0) == 0; }

int64_t fragment_registers(const Buffer& buffer) {
  TileShape t = tile_of(buffer->scope);
  int n = buffer->ndim();
  if (n < 2 || buffer->shape[n - 2] % t.rows != 0 || buffer->shape[n - 1] % t.cols != 0)
    throw BuildError("fragment '" + buffer->name + "' (" + buffer->scope + ") of shape " +
                     std::to_string(buffer->shape[std::max(0, n - 2)]) + " x " + std::to_string(buffer->shape[n - 1]) +
                     " is not made of whole " + std::to_string(t.rows) + " x " + std::to_string(t.cols) + " tiles");
  bool accumulator = buffer->scope == "frag.accumulator";
  if (accumulator != (buffer->dtype == DType::f32) ||
      (!accumulator && buffer->dtype != DType::f16 && buffer->dtype != DType::bf16))
    throw BuildError("fragment '" + buffer->name + "' (" + buffer->scope + ") has type " + std::string(dtype_name(buffer->dtype)) +
                     ": operand fragments hold f16 or bf16, accumulators f32");
  int64_t per_lane = buffer->num_elements() / kWarpSize;
  return accumulator ? per_lane : per_lane / 2;
}

const char* fragment_register_type(const Buffer& buffer) {
  return buffer->scope == "frag.accumulator" ? "float" : "uint32_t";
}

bool has_async_copies(const PrimFunc& func) {
  struct Finder : IRVisitor {
    bool found = false;
    void visit(const ForNode& n, const Stmt& s) override {
      found |= n.annotations.count(kAsyncCopyKey) != 0;
      IRVisitor::visit(n, s);
    }
  } f;
  f.visit_stmt(func->body);
  return f.found;
}

void check_fragment_accesses(const PrimFunc& func) { FragmentAccessCheck(func).visit_stmt(func->body); }

void emit_tensor_intrinsic(CudaEmitter& e, const BlockRealizeNode& realize) {
  const BlockNode& b = *realize.block;
  std::string name = tensor_intrinsic_of(b);
  const IntrinInfo& info = intrinsic_table().at(name);
  if (!is_const_true(realize.predicate))
    throw BuildError(describe(b, name) + " has a predicate: a warp intrinsic runs on whole tiles in every lane");
  if (b.init) throw BuildError(describe(b, name) + " has an init: decompose the reduction and tensorize its init");
  if (!b.alloc_buffers.empty()) throw BuildError(describe(b, name) + " allocates buffers");
  e.open("");
  e.line("// block " + b.name + ": " + name + " (one warp)");
  e.declare_iterators(realize);
  Regions rg = bound_regions(e, realize);
  std::string lane = e.fresh_name("lane");
  if (info.kind != IntrinKind::Mma && info.kind != IntrinKind::Fill)
    e.line("const int64_t " + lane + " = (int64_t)threadIdx.x;");
  switch (info.kind) {
    case IntrinKind::Mma: emit_mma(e, b, rg, name, info); break;
    case IntrinKind::LoadA: emit_ldmatrix(e, b, rg, name, true, lane); break;
    case IntrinKind::LoadB: emit_ldmatrix(e, b, rg, name, false, lane); break;
    case IntrinKind::Fill: emit_fill(e, b, rg, name); break;
    case IntrinKind::Store: emit_store(e, b, rg, name, lane); break;
  }
  e.close();
}

std::string tensorcore_prelude() {
  return R"PRELUDE(// ==== weft tensor-core helpers (inline PTX, sm_80+) ====
namespace wtc {
static __device__ __forceinline__ uint32_t shared_address(const void* p) {
  uint32_t a;
  asm("{ .reg .u64 s; cvta.to.shared.u64 s, %1; cvt.u32.u64 %0, s; }" : "=r"(a) : "l"(p));
  return a;
}
// Four 8x8 b16 matrices; lane l gives the address of row l % 8 of matrix l / 8.
static __device__ __forceinline__ void ldmatrix_x4(uint32_t* r, const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(shared_address(p)) : "memory");
}
// Two 8x8 b16 matrices, transposed; lanes 0-15 give the row addresses.
static __device__ __forceinline__ void ldmatrix_x2_trans(uint32_t* r, const void* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];"
               : "=r"(r[0]), "=r"(r[1]) : "r"(shared_address(p)) : "memory");
}
// D = A * B + C with D and C in place: A 16x16 row-major, B 16x8 column-major.
static __device__ __forceinline__ void mma_m16n8k16_f16(float* c, const uint32_t* a, const uint32_t* b) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%0, %1, %2, %3};"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
static __device__ __forceinline__ void mma_m16n8k16_bf16(float* c, const uint32_t* a, const uint32_t* b) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%0, %1, %2, %3};"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
// 16 bytes global -> shared without passing through registers (L1 bypassed).
static __device__ __forceinline__ void cp_async_16(void* shared, const void* global) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" : : "r"(shared_address(shared)), "l"(global));
}
static __device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;"); }
static __device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;" : : : "memory"); }
}  // namespace wtc
// ==== end of tensor-core helpers ====

)PRELUDE";
}

}  // namespace weft::codegen
