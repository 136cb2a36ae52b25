// The interpreter's compiled form. interpret() turns a PrimFunc into a tree of
// small code objects once, then runs it: variables live in slots assigned at
// compile time, buffers are resolved to data pointers and strides, so running an
// element costs a handful of virtual calls and no lookups.
//
//   IntCode / FloatCode   expressions (ints and bools as int64, floats as double)
//   StmtCode              statements
//   BufferSlot            where one buffer's elements live for this run
//   Access                a bounds-checked element address into a BufferSlot
//   Env                   compile-time scopes: Var -> slot, Buffer -> BufferSlot
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/stmt.h"

namespace weft::ir::interp {

class IntCode {
 public:
  virtual ~IntCode() = default;
  virtual int64_t eval() const = 0;
};

class FloatCode {
 public:
  virtual ~FloatCode() = default;
  virtual double eval() const = 0;
};

class StmtCode {
 public:
  virtual ~StmtCode() = default;
  virtual void run() const = 0;
};

using IntPtr = std::unique_ptr<IntCode>;
using FloatPtr = std::unique_ptr<FloatCode>;
using StmtPtr = std::unique_ptr<StmtCode>;

// An integer operand with a fast path for the common leaves: a variable's slot or
// a constant (held by Env) is read directly, which saves a virtual call per index.
class IntOperand {
 public:
  IntOperand() = default;
  static IntOperand of_slot(const int64_t* slot);  // a variable's slot or an Env constant
  static IntOperand of_code(IntPtr code);
  int64_t eval() const { return code_ ? code_->eval() : *slot_; }

 private:
  const int64_t* slot_ = nullptr;
  IntPtr code_;
};

// One buffer's storage for this run: an argument's data or memory the program owns.
// A block's allocation is reserved once at compile time and zero-filled each time
// the block is entered; no code outside the block can reach it (Env scopes), so
// this behaves as allocate-on-entry / free-on-exit without a malloc per entry.
struct BufferSlot {
  const BufferNode* buffer = nullptr;
  void* data = nullptr;
  std::vector<int64_t> strides;    // row-major, in elements
  std::vector<uint64_t> owned;     // storage of a buffer allocated by a block
  void zero_fill();                // what entering the allocating block does
};

// The element address of a load or store: evaluates and bounds-checks each index.
class Access {
 public:
  Access(BufferSlot* slot, std::vector<IntOperand> indices, const std::string* block);
  int64_t offset() const {
    // Locals, so the bounds are not reloaded after each (possibly virtual) index.
    const Dim* d = dims_.data();
    const Dim* end = d + dims_.size();
    int64_t off = 0;
    for (; d != end; ++d) {
      int64_t i = d->index.eval();
      if (static_cast<uint64_t>(i) >= static_cast<uint64_t>(d->extent)) [[unlikely]]
        out_of_bounds();
      off += i * d->stride;
    }
    return off;
  }
  void* data() const { return data_; }
  const std::string& where() const { return *block_; }

 private:
  struct Dim {
    IntOperand index;
    int64_t extent, stride;
  };
  [[noreturn]] void out_of_bounds() const;

  void* data_;
  const BufferNode* buffer_;
  std::vector<Dim> dims_;
  const std::string* block_;  // name of the enclosing block, for messages
};

// Compile-time state: lexical scopes of variables and buffers, and the storage
// that the compiled code points into (stable addresses: deques never move).
class Env {
 public:
  // A new slot for `var`, shadowing any outer binding until unbind().
  int64_t* bind(const VarNode* var);
  void unbind(const VarNode* var);
  const int64_t* lookup(const VarNode* var) const;  // throws IRError if unbound
  const int64_t* constant(int64_t value);           // stable storage holding `value`

  // Makes `buffer` visible with the given storage; parameters stay visible throughout.
  BufferSlot* add_param(const BufferNode* buffer, void* data);
  BufferSlot* allocate(const BufferNode* buffer, const std::string& block);  // until release()
  void release(const BufferNode* buffer);
  BufferSlot* lookup(const BufferNode* buffer) const;  // throws IRError if not visible

  // Name of the block being compiled, for error messages; stable storage.
  const std::string* block_name() const { return block_; }
  void set_block_name(const std::string* name) { block_ = name; }

 private:
  BufferSlot* visible(const BufferNode* buffer) const;

  std::deque<int64_t> slots_;  // variables' slots and constants
  std::vector<std::pair<const VarNode*, int64_t*>> vars_;
  std::deque<BufferSlot> buffer_slots_;
  std::vector<BufferSlot*> buffers_;
  const std::string* block_ = nullptr;
};

// Expression compilation (interp_expr.cpp). compile_int takes int and bool
// expressions, compile_float float ones.
IntPtr compile_int(const Expr& e, Env& env);
FloatPtr compile_float(const Expr& e, Env& env);
IntOperand compile_operand(const Expr& e, Env& env);
Access compile_access(const Buffer& buffer, const std::vector<Expr>& indices, Env& env);

std::string shape_text(const std::vector<int64_t>& values);

}  // namespace weft::ir::interp
