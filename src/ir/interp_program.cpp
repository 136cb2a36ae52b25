#include "ir/interp_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "support/error.h"

namespace weft::ir::interp {

std::string shape_text(const std::vector<int64_t>& values) { return fmt::format("[{}]", fmt::join(values, ", ")); }

// ---- IntOperand ---------------------------------------------------------------------

IntOperand IntOperand::of_slot(const int64_t* slot) {
  IntOperand o;
  o.slot_ = slot;
  return o;
}

IntOperand IntOperand::of_code(IntPtr code) {
  IntOperand o;
  o.code_ = std::move(code);
  return o;
}

// ---- buffers ------------------------------------------------------------------------

static std::vector<int64_t> row_major_strides(const BufferNode& buffer) {
  std::vector<int64_t> strides(buffer.shape.size());
  int64_t s = 1;
  for (size_t d = buffer.shape.size(); d-- > 0;) {
    strides[d] = s;
    s *= buffer.shape[d];
  }
  return strides;
}

void BufferSlot::zero_fill() {
  if (!owned.empty()) std::memset(owned.data(), 0, owned.size() * sizeof(uint64_t));
}

Access::Access(BufferSlot* slot, std::vector<IntOperand> indices, const std::string* block)
    : data_(slot->data), buffer_(slot->buffer), block_(block) {
  if (indices.size() != buffer_->shape.size())
    throw InternalError("access to '" + buffer_->name + "' with the wrong number of indices");
  for (size_t d = 0; d < indices.size(); ++d)
    dims_.push_back({std::move(indices[d]), buffer_->shape[d], slot->strides[d]});
}

void Access::out_of_bounds() const {
  // Indices are pure, so evaluating them again gives the values that failed.
  std::vector<int64_t> values;
  for (const Dim& d : dims_) values.push_back(d.index.eval());
  throw RuntimeError(fmt::format("buffer '{}' accessed at index {}, outside its shape {} (in block '{}')",
                                 buffer_->name, shape_text(values), shape_text(buffer_->shape), *block_));
}

// ---- Env ----------------------------------------------------------------------------

int64_t* Env::bind(const VarNode* var) {
  int64_t* slot = &slots_.emplace_back(0);
  vars_.emplace_back(var, slot);
  return slot;
}

const int64_t* Env::constant(int64_t value) { return &slots_.emplace_back(value); }

void Env::unbind(const VarNode* var) {
  if (vars_.empty() || vars_.back().first != var) throw InternalError("interpreter scopes unbalanced");
  vars_.pop_back();
}

const int64_t* Env::lookup(const VarNode* var) const {
  for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
    if (it->first == var) return it->second;
  throw IRError("variable '" + var->name + "' is used outside the loop or block that defines it (in block '" +
                (block_ ? *block_ : std::string("?")) + "')");
}

BufferSlot* Env::visible(const BufferNode* buffer) const {
  for (auto it = buffers_.rbegin(); it != buffers_.rend(); ++it)
    if ((*it)->buffer == buffer) return *it;
  return nullptr;
}

BufferSlot* Env::add_param(const BufferNode* buffer, void* data) {
  BufferSlot& slot = buffer_slots_.emplace_back();
  slot.buffer = buffer;
  slot.data = data;
  slot.strides = row_major_strides(*buffer);
  buffers_.push_back(&slot);
  return &slot;
}

BufferSlot* Env::allocate(const BufferNode* buffer, const std::string& block) {
  if (visible(buffer))
    throw IRError("block '" + block + "' allocates buffer '" + buffer->name +
                  "', which is already a parameter or allocated by an enclosing block");
  BufferSlot& slot = buffer_slots_.emplace_back();
  slot.buffer = buffer;
  slot.owned.assign(static_cast<size_t>((buffer->bytes() + 7) / 8), 0);
  slot.data = slot.owned.data();
  slot.strides = row_major_strides(*buffer);
  buffers_.push_back(&slot);
  return &slot;
}

void Env::release(const BufferNode* buffer) {
  if (buffers_.empty() || buffers_.back()->buffer != buffer) throw InternalError("interpreter buffer scopes unbalanced");
  buffers_.pop_back();
}

BufferSlot* Env::lookup(const BufferNode* buffer) const {
  if (BufferSlot* slot = visible(buffer)) return slot;
  throw IRError("buffer '" + buffer->name + "' is neither a parameter nor allocated by an enclosing block (in block '" +
                (block_ ? *block_ : std::string("?")) + "')");
}

}  // namespace weft::ir::interp
