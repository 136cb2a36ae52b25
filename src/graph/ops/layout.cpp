// Layout ops: reshape (view), permute, slice, slice_grad (zero-padding back into
// the sliced axis), concat. They work on every graph dtype, i64 included.
#include <numeric>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

Shape resolve_reshape(const InferContext& ctx, Shape target, int64_t numel) {
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0) ctx.fail("shape " + shape_str(target) + " has more than one -1");
      inferred = static_cast<int64_t>(i);
    } else if (target[i] <= 0) {
      ctx.fail("shape " + shape_str(target) + " has a non-positive dimension");
    } else {
      known *= target[i];
    }
  }
  if (inferred >= 0) {
    if (numel % known != 0) ctx.fail("cannot infer the -1 in " + shape_str(target) + " for " + ctx.input_desc(0));
    target[inferred] = numel / known;
  }
  if (shape_numel(target) != numel) ctx.fail("cannot reshape " + ctx.input_desc(0) + " to " + shape_str(target));
  return target;
}

std::vector<int64_t> checked_perm(const InferContext& ctx) {
  std::vector<int64_t> perm = ctx.attr_ints("perm");
  if (static_cast<int64_t>(perm.size()) != ctx.rank(0))
    ctx.fail("perm " + attr_value_str(perm) + " does not match " + ctx.input_desc(0));
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= ctx.rank(0) || seen[p]) ctx.fail("perm " + attr_value_str(perm) + " is not a permutation");
    seen[p] = true;
  }
  return perm;
}

std::vector<int64_t> inverse_perm(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int64_t>(i);
  return inv;
}

// Copies `rows` blocks of `len` elements between two tensors of the same dtype.
template <class T>
void copy_blocks(std::span<const T> src, int64_t src_stride, int64_t src_offset, std::span<T> dst,
                 int64_t dst_stride, int64_t dst_offset, int64_t rows, int64_t len) {
  for (int64_t r = 0; r < rows; ++r)
    std::copy_n(src.data() + r * src_stride + src_offset, len, dst.data() + r * dst_stride + dst_offset);
}

struct SliceSpec {
  int64_t axis, begin, end;
};

SliceSpec slice_spec(const InferContext& ctx, const Shape& shape) {
  int64_t axis = ctx.axis(ctx.attr_int("axis"), static_cast<int64_t>(shape.size()));
  int64_t dim = shape[axis];
  int64_t begin = ctx.attr_int("begin"), end = ctx.attr_int("end", dim);
  if (begin < 0) begin += dim;
  if (end < 0) end += dim;
  if (begin < 0 || end > dim || begin >= end)
    ctx.fail("slice [" + std::to_string(ctx.attr_int("begin")) + ", " + std::to_string(ctx.attr_int("end", dim)) +
             ") is empty or out of range for axis " + std::to_string(axis) + " of length " + std::to_string(dim));
  return {axis, begin, end};
}

}  // namespace

void register_layout_ops(OpRegistry& r) {
  r.add(OpDef{"reshape", FusionClass::view, 1, 1, "reshape(x) {shape}: one entry may be -1",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                return {TensorType{resolve_reshape(ctx, ctx.attr_ints("shape"), ctx.input(0).numel()),
                                   ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) { ctx.out(0) = ctx.in(0).reshaped(ctx.out(0).shape()); },
              [](GradContext& c) -> Grads {
                return {c.emit("reshape", {*c.out_grad(0)}, {{"shape", c.shape(c.input(0))}})};
              }});

  r.add(OpDef{"permute", FusionClass::permute, 1, 1, "permute(x) {perm}: out dim i = x dim perm[i]",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                std::vector<int64_t> perm = checked_perm(ctx);
                Shape out;
                for (int64_t p : perm) out.push_back(ctx.shape(0)[p]);
                return {TensorType{out, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                std::vector<int64_t> perm = ctx.attr_ints("perm");
                std::vector<int64_t> in_strides = strides_of(ctx.in(0).shape());
                const Shape& shape = ctx.out(0).shape();
                std::vector<int64_t> s(perm.size());
                for (size_t i = 0; i < perm.size(); ++i) s[i] = in_strides[perm[i]];
                dispatch_any(ctx.in(0).dtype(), [&]<typename T>() {
                  auto X = ctx.in(0).data<T>();
                  auto O = ctx.out(0).data<T>();
                  std::vector<int64_t> idx(shape.size(), 0);
                  int64_t ii = 0;
                  for (int64_t k = 0; k < ctx.out(0).numel(); ++k) {
                    O[k] = X[ii];
                    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
                      ++idx[d];
                      ii += s[d];
                      if (idx[d] < shape[d]) break;
                      ii -= s[d] * shape[d];
                      idx[d] = 0;
                    }
                  }
                });
              },
              [](GradContext& c) -> Grads {
                return {c.emit("permute", {*c.out_grad(0)}, {{"perm", inverse_perm(c.attr_ints("perm"))}})};
              }});

  r.add(OpDef{"slice", FusionClass::view, 1, 1,
              "slice(x) {axis, begin, end=dim}: x[..., begin:end, ...] along axis (negative = from the end)",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                SliceSpec s = slice_spec(ctx, ctx.shape(0));
                Shape out = ctx.shape(0);
                out[s.axis] = s.end - s.begin;
                return {TensorType{out, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                const Shape& in = ctx.in(0).shape();
                int64_t axis = ctx.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(in.size());
                int64_t begin = ctx.attr_int("begin");
                if (begin < 0) begin += in[axis];
                AxisSplit si = split_at_axis(in, axis);
                AxisSplit so = split_at_axis(ctx.out(0).shape(), axis);
                dispatch_any(ctx.in(0).dtype(), [&]<typename T>() {
                  copy_blocks<T>(ctx.in(0).data<T>(), si.length * si.inner, begin * si.inner, ctx.out(0).data<T>(),
                                 so.length * so.inner, 0, si.outer, so.length * so.inner);
                });
              },
              [](GradContext& c) -> Grads {
                const Shape& in = c.shape(c.input(0));
                int64_t axis = c.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(in.size());
                int64_t begin = c.attr_int("begin");
                if (begin < 0) begin += in[axis];
                return {c.emit("slice_grad", {*c.out_grad(0)},
                               {{"axis", axis}, {"begin", begin}, {"length", in[axis]}})};
              }});

  r.add(OpDef{"slice_grad", FusionClass::view, 1, 1,
              "slice_grad(g) {axis, begin, length}: zeros of length `length` along axis with g placed at begin",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                int64_t axis = ctx.axis(ctx.attr_int("axis"), ctx.rank(0));
                int64_t begin = ctx.attr_int("begin"), length = ctx.attr_int("length");
                if (begin < 0 || begin + ctx.shape(0)[axis] > length)
                  ctx.fail("begin " + std::to_string(begin) + " and " + ctx.input_desc(0) + " do not fit length " +
                           std::to_string(length));
                Shape out = ctx.shape(0);
                out[axis] = length;
                return {TensorType{out, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t axis = ctx.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(ctx.in(0).shape().size());
                AxisSplit si = split_at_axis(ctx.in(0).shape(), axis);
                AxisSplit so = split_at_axis(ctx.out(0).shape(), axis);
                dispatch_any(ctx.in(0).dtype(), [&]<typename T>() {
                  copy_blocks<T>(ctx.in(0).data<T>(), si.length * si.inner, 0, ctx.out(0).data<T>(),
                                 so.length * so.inner, ctx.attr_int("begin") * so.inner, si.outer,
                                 si.length * si.inner);
                });
              },
              [](GradContext& c) -> Grads {
                int64_t begin = c.attr_int("begin");
                int64_t axis = c.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(c.shape(c.input(0)).size());
                return {c.emit("slice", {*c.out_grad(0)},
                               {{"axis", axis}, {"begin", begin}, {"end", begin + c.shape(c.input(0))[axis]}})};
              }});

  r.add(OpDef{"concat", FusionClass::view, 1, -1, "concat(x0, x1, ...) {axis}: join along axis",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                int64_t axis = ctx.axis(ctx.attr_int("axis"), ctx.rank(0));
                Shape out = ctx.shape(0);
                for (size_t i = 1; i < ctx.num_inputs(); ++i) {
                  if (ctx.input(i).dtype != ctx.input(0).dtype || ctx.rank(i) != ctx.rank(0))
                    ctx.fail(ctx.input_desc(i) + " does not match " + ctx.input_desc(0));
                  for (int64_t d = 0; d < ctx.rank(0); ++d)
                    if (d != axis && ctx.shape(i)[d] != out[d])
                      ctx.fail(ctx.input_desc(i) + " differs from " + ctx.input_desc(0) + " outside axis " +
                               std::to_string(axis));
                  out[axis] += ctx.shape(i)[axis];
                }
                return {TensorType{out, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t axis = ctx.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(ctx.out(0).shape().size());
                AxisSplit so = split_at_axis(ctx.out(0).shape(), axis);
                int64_t offset = 0;
                for (size_t i = 0; i < ctx.num_inputs(); ++i) {
                  AxisSplit si = split_at_axis(ctx.in(i).shape(), axis);
                  dispatch_any(ctx.in(0).dtype(), [&]<typename T>() {
                    copy_blocks<T>(ctx.in(i).data<T>(), si.length * si.inner, 0, ctx.out(0).data<T>(),
                                   so.length * so.inner, offset * so.inner, si.outer, si.length * si.inner);
                  });
                  offset += si.length;
                }
              },
              [](GradContext& c) -> Grads {
                int64_t axis = c.attr_int("axis");
                if (axis < 0) axis += static_cast<int64_t>(c.shape(c.input(0)).size());
                Grads out;
                int64_t offset = 0;
                for (size_t i = 0; i < c.num_inputs(); ++i) {
                  int64_t len = c.shape(c.input(i))[axis];
                  if (c.needs(i))
                    out.push_back(c.emit("slice", {*c.out_grad(0)},
                                         {{"axis", axis}, {"begin", offset}, {"end", offset + len}}));
                  else
                    out.push_back(std::nullopt);
                  offset += len;
                }
                return out;
              }});
}

}  // namespace weft::graph
