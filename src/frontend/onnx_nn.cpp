// ONNX's convolution and pooling ops on NCHW tensors, mapped onto weft's NHWC
// conv2d / max_pool2d / avg_pool2d between layout permutes:
//   x[N,C,H,W] -permute{0,2,3,1}-> NHWC -op-> NHWC -permute{0,3,1,2}-> y[N,O,OH,OW]
// The permute propagation pass cancels back-to-back permutes between layers.
//
// Conv's OIHW weight stays a parameter in ONNX's layout under its ONNX name, and
// a permute{2,3,1,0} node turns it into the HWIO weight conv2d reads. Permuting
// the initializer at import instead would hand users values and gradients
// ("grad:<w>") in a layout that their ONNX model does not have, and would not
// work for weights that arrive as graph inputs. A permute is the one op the
// partitioner may fuse into a main op's operand, so the permute costs no kernel.
#include "frontend/onnx_importer.h"
#include "support/error.h"

namespace weft::frontend::detail {

using graph::ValueId;

namespace {

const Ints kToNhwc{0, 2, 3, 1}, kToNchw{0, 3, 1, 2}, kOihwToHwio{2, 3, 1, 0};

std::string ints_str(const Ints& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

}  // namespace

Ints OnnxImporter::symmetric_pads(const Ints& kernel, const Ints& strides, const Ints& dilations, ValueId x) const {
  std::string auto_pad = attr_string("auto_pad").value_or("NOTSET");
  if (auto_pad == "NOTSET") {
    Ints pads = attr_ints("pads").value_or(Ints{0, 0, 0, 0});
    if (pads.size() != 4) fail("attribute 'pads' needs 4 values (2-D only), got " + std::to_string(pads.size()));
    if (pads[0] != pads[2] || pads[1] != pads[3])
      fail("asymmetric pads " + ints_str(pads) + " are not supported: weft pads both sides of an axis equally");
    if (pads[0] < 0 || pads[1] < 0) fail("negative pads " + ints_str(pads));
    return {pads[0], pads[1]};
  }
  if (auto_pad == "VALID") return {0, 0};
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") fail("unknown auto_pad '" + auto_pad + "'");
  // SAME: output = ceil(input / stride); the padding that takes splits between both sides.
  Ints pads;
  for (size_t i = 0; i < 2; ++i) {
    int64_t input = shape(x)[2 + i], out = (input + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input);
    if (total % 2 != 0)
      fail("auto_pad " + auto_pad + " pads axis " + std::to_string(2 + i) + " by " + std::to_string(total) +
           " in total, which weft cannot split equally between both sides");
    pads.push_back(total / 2);
  }
  return pads;
}

void OnnxImporter::convert_conv() {
  ValueId x = in(0), w = in(1);
  if (rank(x) != 4 || rank(w) != 4)
    fail("only 2-D convolution is supported (rank-4 NCHW data and OIHW weight), got ranks " +
         std::to_string(rank(x)) + " and " + std::to_string(rank(w)));
  if (int64_t group = attr_int("group", 1); group != 1)
    fail("group " + std::to_string(group) + " is not supported (only 1)");
  const graph::Shape ws = shape(w);  // a copy: adding nodes moves the value list
  Ints kernel{ws[2], ws[3]};
  if (std::optional<Ints> k = attr_ints("kernel_shape"); k && *k != kernel)
    fail("kernel_shape " + ints_str(*k) + " disagrees with the weight's spatial dims " + ints_str(kernel));
  Ints strides = attr_pair("strides", 1), dilations = attr_pair("dilations", 1);
  Ints pads = symmetric_pads(kernel, strides, dilations, x);
  const std::string& name = output_name();
  ValueId xn = add("permute", {x}, {{"perm", kToNhwc}}, name + "/nhwc");
  ValueId hwio = add("permute", {w}, {{"perm", kOihwToHwio}}, name + "/hwio");
  ValueId y = add("conv2d", {xn, hwio}, {{"stride", strides}, {"padding", pads}, {"dilation", dilations}},
                  name + "/conv");
  if (has_input(2)) {
    ValueId bias = in(2);
    if (shape(bias) != graph::Shape{ws[0]})
      fail("bias " + graph::shape_str(shape(bias)) + " must have one value per output channel [" +
           std::to_string(ws[0]) + "]");
    y = add("add", {y, bias}, {}, name + "/bias");  // [O] broadcasts along NHWC's last axis
  }
  emit("permute", {y}, {{"perm", kToNchw}});
}

void OnnxImporter::convert_pool(const std::string& op) {
  ValueId x = in(0);
  if (rank(x) != 4) fail("only 2-D pooling of NCHW data is supported, got rank " + std::to_string(rank(x)));
  std::optional<Ints> kernel = attr_ints("kernel_shape");
  if (!kernel || kernel->size() != 2) fail("needs a 2-value kernel_shape attribute");
  if (attr_int("ceil_mode", 0) != 0) fail("ceil_mode=1 is not supported");
  Ints strides = attr_pair("strides", 1), dilations = attr_pair("dilations", 1);
  if (dilations != Ints{1, 1}) fail("dilations " + ints_str(dilations) + " are not supported (only [1,1])");
  if (op == "MaxPool" && attr_int("storage_order", 0) != 0) fail("storage_order=1 is not supported");
  Ints pads = symmetric_pads(*kernel, strides, dilations, x);
  graph::Attrs attrs{{"kernel", *kernel}, {"stride", strides}, {"padding", pads}};
  if (op == "AveragePool") attrs.set("count_include_pad", int64_t{attr_int("count_include_pad", 0) != 0});
  const std::string& name = output_name();
  ValueId xn = add("permute", {x}, {{"perm", kToNhwc}}, name + "/nhwc");
  ValueId y = add(op == "MaxPool" ? "max_pool2d" : "avg_pool2d", {xn}, attrs, name + "/pool");
  emit("permute", {y}, {{"perm", kToNchw}});
}

// A reduction over the spatial axes, which stays in NCHW: no permutes needed.
void OnnxImporter::convert_global_pool(const std::string& reducer) {
  ValueId x = in(0);
  if (rank(x) < 3) fail("needs N, C and at least one spatial axis, got rank " + std::to_string(rank(x)));
  Ints axes;
  for (int64_t i = 2; i < rank(x); ++i) axes.push_back(i);
  emit(reducer, {x}, {{"axes", axes}, {"keepdims", int64_t{1}}});
}

}  // namespace weft::frontend::detail
