#include "schedule/intrinsics.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "ir/functor.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

using namespace ir;

namespace {

struct Entry {
  std::string target;
  IntrinsicFactory make;
  std::unique_ptr<TensorIntrinsic> built;  // on first use
};

std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> entries;
  return entries;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

// Buffers a function allocates anywhere, and the buffers its statements access.
class BufferUses : public IRVisitor {
 public:
  std::set<const BufferNode*> accessed;
  std::vector<std::string> allocating_blocks;

 protected:
  using IRVisitor::visit;
  void visit(const BufferLoadNode& n, const Expr& self) override {
    accessed.insert(n.buffer.get());
    IRVisitor::visit(n, self);
  }
  void visit(const BufferStoreNode& n, const Stmt& self) override {
    accessed.insert(n.buffer.get());
    IRVisitor::visit(n, self);
  }
  void visit_block(const BlockNode& b) override {
    if (!b.alloc_buffers.empty()) allocating_blocks.push_back(b.name);
    IRVisitor::visit_block(b);
  }
};

void check(const TensorIntrinsic& in) {
  auto bad = [&](const std::string& msg) { throw InternalError("tensor intrinsic '" + in.name + "': " + msg); };
  if (!in.desc || !in.impl) bad("missing description or implementation");
  if (in.desc->params.size() != in.impl->params.size())
    bad("description and implementation take different numbers of parameters");
  for (size_t i = 0; i < in.desc->params.size(); ++i) {
    const Buffer& d = in.desc->params[i];
    const Buffer& m = in.impl->params[i];
    if (d->dtype != m->dtype || d->shape != m->shape)
      bad("parameter " + std::to_string(i + 1) + " ('" + d->name + "') differs between description and implementation");
  }
  BufferUses desc_uses, impl_uses;
  desc_uses.visit_stmt(in.desc->body);
  impl_uses.visit_stmt(in.impl->body);
  if (!desc_uses.allocating_blocks.empty() || !impl_uses.allocating_blocks.empty())
    bad("blocks of an intrinsic may not allocate buffers");
  if (!in.param_scopes.empty() && in.param_scopes.size() != in.desc->params.size())
    bad("param_scopes names " + std::to_string(in.param_scopes.size()) + " scopes for " +
        std::to_string(in.desc->params.size()) + " parameters");
  for (const std::string& s : in.param_scopes)
    if (!is_valid_scope(s)) bad("unknown scope '" + s + "'");
  if (child_block_realizes(in.desc->root_block().body).empty()) bad("the description holds no block to match");
  for (const Buffer& p : in.desc->params)
    if (!desc_uses.accessed.count(p.get())) bad("the description never accesses parameter '" + p->name + "'");
}

}  // namespace

void register_intrinsic(const std::string& name, const std::string& target, IntrinsicFactory make) {
  if (!is_identifier(name)) throw InternalError("tensor intrinsic name '" + name + "' is not an identifier");
  if (target != "cpu" && target != "cuda")
    throw InternalError("tensor intrinsic '" + name + "': unknown target '" + target + "'");
  std::lock_guard<std::mutex> lock(registry_mutex());
  if (!registry().emplace(name, Entry{target, std::move(make), nullptr}).second)
    throw InternalError("tensor intrinsic '" + name + "' registered twice");
}

bool has_intrinsic(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  return registry().count(name) > 0;
}

std::vector<std::string> intrinsic_names() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry()) names.push_back(name);
  return names;
}

const TensorIntrinsic& get_intrinsic(const std::string& name, const std::string& primitive) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& [n, e] : registry()) known += (known.empty() ? "" : ", ") + n;
    throw ScheduleError(primitive + ": unknown intrinsic '" + name + "' (known: " + known + ")");
  }
  Entry& e = it->second;
  if (!e.built) {
    IntrinsicFuncs funcs = e.make();
    auto built = std::make_unique<TensorIntrinsic>(TensorIntrinsic{name, e.target, funcs.desc, funcs.impl, funcs.param_scopes});
    check(*built);
    e.built = std::move(built);
  }
  return *e.built;
}

}  // namespace weft::sched
