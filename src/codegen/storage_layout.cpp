#include "codegen/storage_layout.h"

#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

std::vector<AxisAlign> parse_axis_aligns(const std::string& value, const std::string& where) {
  std::optional<std::vector<AxisAlign>> aligns = parse_storage_align(value);
  if (!aligns)
    throw BuildError(where + ": '" + value +
                     "' is not 'axis,factor,offset;...' with increasing axes >= 0, factor >= 1 and 0 <= offset < factor");
  return *aligns;
}

std::vector<int64_t> aligned_strides(const std::vector<int64_t>& shape, const std::vector<AxisAlign>& aligns) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    for (const AxisAlign& a : aligns)
      if (a.axis == static_cast<int64_t>(d)) stride += ((a.offset - stride % a.factor) % a.factor + a.factor) % a.factor;
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

BufferLayout blocked_layout(const std::vector<int64_t>& shape, const StorageBlock& block) {
  BufferLayout layout;
  layout.strides.resize(shape.size());
  layout.blocked_axis = block.axis;
  layout.block = block.factor;
  int64_t stride = block.factor;  // the appended innermost axis
  for (size_t d = shape.size(); d-- > 0;) {
    layout.strides[d] = stride;
    stride *= static_cast<int64_t>(d) == block.axis ? (shape[d] + block.factor - 1) / block.factor : shape[d];
  }
  layout.elements = stride;
  return layout;
}

namespace {

// The buffer named `name` among the block's writes, checked to be no parameter.
Buffer annotated_buffer(const PrimFunc& func, const BlockNode& b, const std::string& name, const std::string& where) {
  Buffer buffer;
  for (const BufferRegion& w : b.writes)
    if (w.buffer->name == name) buffer = w.buffer;
  if (!buffer) throw BuildError(where + ": the block writes no buffer named '" + name + "'");
  for (const Buffer& p : func->params)
    if (p == buffer)
      throw BuildError(where + ": '" + name + "' is a function parameter; its layout belongs to the caller");
  return buffer;
}

void check_axis(int64_t axis, const Buffer& buffer, const std::string& where) {
  if (axis >= buffer->ndim() - 1)
    throw BuildError(where + ": axis " + std::to_string(axis) + " is out of range for '" + buffer->name + "' of rank " +
                     std::to_string(buffer->ndim()) + " (the innermost axis has stride 1)");
}

}  // namespace

LayoutTable storage_layouts(const PrimFunc& func) {
  struct Finder : IRVisitor {
    const PrimFunc* func = nullptr;
    LayoutTable table;
    // Blocks that write one buffer may repeat its annotation, but not contradict it.
    void add(const Buffer& buffer, const BufferLayout& layout, const std::string& where) {
      auto [it, added] = table.emplace(buffer.get(), layout);
      if (!added && (it->second.strides != layout.strides || it->second.blocked_axis != layout.blocked_axis ||
                     it->second.block != layout.block))
        throw BuildError(where + ": '" + buffer->name + "' already has another layout (aligned or blocked, not both)");
    }
    void visit_block(const BlockNode& b) override {
      for (const auto& [key, value] : b.annotations) {
        bool align = key.rfind(kStorageAlignPrefix, 0) == 0, block = key.rfind(kStorageBlockPrefix, 0) == 0;
        if (!align && !block) continue;
        std::string name = key.substr(std::string(align ? kStorageAlignPrefix : kStorageBlockPrefix).size());
        std::string where = "block '" + b.name + "', annotation '" + key + "'";
        const auto* text = std::get_if<std::string>(&value);
        if (!text) throw BuildError(where + ": the value must be a string");
        Buffer buffer = annotated_buffer(*func, b, name, where);
        if (align) {
          std::vector<AxisAlign> aligns = parse_axis_aligns(*text, where);
          for (const AxisAlign& a : aligns) check_axis(a.axis, buffer, where);
          std::vector<int64_t> strides = aligned_strides(buffer->shape, aligns);
          int64_t elements = buffer->ndim() == 0 ? 1 : strides[0] * buffer->shape[0];
          add(buffer, BufferLayout{strides, -1, 1, elements}, where);
        } else {
          std::optional<StorageBlock> blocked = parse_storage_block(*text);
          if (!blocked)
            throw BuildError(where + ": '" + *text + "' is not 'axis,factor' with axis >= 0 and factor >= 1");
          check_axis(blocked->axis, buffer, where);
          add(buffer, blocked_layout(buffer->shape, *blocked), where);
        }
      }
      IRVisitor::visit_block(b);
    }
  } finder;
  finder.func = &func;
  finder.visit_stmt(func->body);
  return std::move(finder.table);
}

int64_t allocated_elements(const Buffer& buffer, const LayoutTable& layouts) {
  auto it = layouts.find(buffer.get());
  return it == layouts.end() ? buffer->num_elements() : it->second.elements;
}

std::optional<std::vector<int64_t>> linear_strides(const Buffer& buffer, const LayoutTable& layouts) {
  if (auto it = layouts.find(buffer.get()); it != layouts.end()) {
    if (!it->second.linear()) return std::nullopt;
    return it->second.strides;
  }
  return aligned_strides(buffer->shape, {});  // row-major
}

}  // namespace weft::codegen
