#include "ir/substitute.h"

#include <string>

#include "ir/functor.h"
#include "support/error.h"

namespace weft::ir {

namespace {

class Substituter : public IRMutator {
 public:
  explicit Substituter(const VarMap& map) : map_(map) {
    for (const auto& [var, value] : map_) {
      WEFT_CHECK(var != nullptr && value, IRError, "substitution with a null variable or value");
      WEFT_CHECK(value.dtype() == var->dtype, IRError,
                 "substituting '" + var->name + "' (" + std::string(dtype_name(var->dtype)) + ") by a value of type " +
                     std::string(dtype_name(value.dtype())));
    }
  }

 protected:
  using IRMutator::visit;
  Expr visit(const VarNode& n, const Expr& self) override {
    auto it = map_.find(&n);
    return it == map_.end() ? self : it->second;
  }

 private:
  const VarMap& map_;
};

// Sets `found` on the first hit and stops descending into binary nodes after it.
class VarFinder : public IRVisitor {
 public:
  explicit VarFinder(const VarSet& vars) : vars_(vars) {}
  bool found = false;

 protected:
  using IRVisitor::visit;
  void visit(const VarNode& n, const Expr&) override {
    if (vars_.count(&n)) found = true;
  }
  void visit(const BinaryNode& n, const Expr& self) override {
    if (!found) IRVisitor::visit(n, self);
  }

 private:
  const VarSet& vars_;
};

class VarCollector : public IRVisitor {
 public:
  std::vector<Var> vars;

 protected:
  using IRVisitor::visit;
  void visit(const VarNode& n, const Expr& self) override {
    if (seen_.insert(&n).second) vars.push_back(std::static_pointer_cast<const VarNode>(self.node()));
  }

 private:
  VarSet seen_;
};

}  // namespace

Expr substitute(const Expr& e, const VarMap& map) {
  if (map.empty()) return e;
  Substituter s(map);
  return s.mutate(e);
}

Stmt substitute(const Stmt& st, const VarMap& map) {
  if (map.empty()) return st;
  Substituter s(map);
  return s.mutate(st);
}

BufferRegion substitute(const BufferRegion& region, const VarMap& map) {
  BufferRegion out{region.buffer, {}};
  for (const Range& r : region.region) out.region.push_back({substitute(r.min, map), substitute(r.extent, map)});
  return out;
}

bool uses_var(const Expr& e, const VarNode* var) {
  VarSet one{var};
  return uses_any_var(e, one);
}

bool uses_any_var(const Expr& e, const VarSet& vars) {
  if (!e || vars.empty()) return false;
  VarFinder f(vars);
  f.visit_expr(e);
  return f.found;
}

std::vector<Var> collect_vars(const Expr& e) {
  VarCollector c;
  if (e) c.visit_expr(e);
  return std::move(c.vars);
}

VarSet vars_used(const Stmt& s) {
  VarCollector c;
  if (s) c.visit_stmt(s);
  VarSet out;
  for (const Var& v : c.vars) out.insert(v.get());
  return out;
}

}  // namespace weft::ir
