#include "codegen/storage_layout.h"

#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

const std::string kPrefix = kStorageAlignPrefix;

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

StrideTable storage_strides(const PrimFunc& func) {
  struct Finder : IRVisitor {
    const PrimFunc* func = nullptr;
    StrideTable table;
    void visit_block(const BlockNode& b) override {
      for (const auto& [key, value] : b.annotations) {
        if (key.rfind(kPrefix, 0) != 0) continue;
        std::string name = key.substr(kPrefix.size());
        std::string where = "block '" + b.name + "', annotation '" + key + "'";
        const auto* text = std::get_if<std::string>(&value);
        if (!text) throw BuildError(where + ": the value must be a string");
        std::vector<AxisAlign> aligns = parse_axis_aligns(*text, where);
        Buffer buffer;
        for (const BufferRegion& w : b.writes)
          if (w.buffer->name == name) buffer = w.buffer;
        if (!buffer) throw BuildError(where + ": the block writes no buffer named '" + name + "'");
        for (const Buffer& p : (*func)->params)
          if (p == buffer)
            throw BuildError(where + ": '" + name + "' is a function parameter; its layout belongs to the caller");
        for (const AxisAlign& a : aligns)
          if (a.axis >= buffer->ndim() - 1)
            throw BuildError(where + ": axis " + std::to_string(a.axis) + " is out of range for '" + name +
                             "' of rank " + std::to_string(buffer->ndim()) + " (the innermost axis has stride 1)");
        table[buffer.get()] = aligned_strides(buffer->shape, aligns);
      }
      IRVisitor::visit_block(b);
    }
  } finder;
  finder.func = &func;
  finder.visit_stmt(func->body);
  return std::move(finder.table);
}

int64_t allocated_elements(const Buffer& buffer, const StrideTable& strides) {
  auto it = strides.find(buffer.get());
  if (it == strides.end() || buffer->ndim() == 0) return buffer->num_elements();
  return it->second[0] * buffer->shape[0];
}

}  // namespace weft::codegen
