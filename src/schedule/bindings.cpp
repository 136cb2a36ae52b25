#include "schedule/bindings.h"

#include <functional>

#include "ir/functor.h"
#include "ir/simplify.h"
#include "schedule/error.h"
#include "schedule/schedule.h"

namespace weft::sched {

using namespace ir;

int64_t const_extent(const ForNode& loop, const char* primitive) {
  int64_t e;
  if (!is_const_int(loop.extent, &e))
    throw ScheduleError(std::string(primitive) + ": loop '" + loop.loop_var->name + "' has a non-constant extent");
  return e;
}

VarDomains loop_domains(const std::vector<Stmt>& loops) {
  VarDomains d;
  for (const Stmt& s : loops) {
    const auto& f = *s.as<ForNode>();
    int64_t e;
    if (is_const_int(f.extent, &e) && e >= 1) d[f.loop_var.get()] = Interval::from_extent(0, e);
  }
  return d;
}

namespace {

// Walks loops and control flow down to the first block realizes.
class RealizeRewriter : public IRMutator {
 public:
  RealizeRewriter(VarDomains domains, std::function<Stmt(const BlockRealizeNode&, const VarDomains&)> fn)
      : domains_(std::move(domains)), fn_(std::move(fn)) {}

 protected:
  Stmt visit(const ForNode& n, const Stmt& self) override {
    int64_t e;
    bool known = is_const_int(n.extent, &e) && e >= 1;
    if (known) domains_[n.loop_var.get()] = Interval::from_extent(0, e);
    Stmt out = IRMutator::visit(n, self);
    if (known) domains_.erase(n.loop_var.get());
    return out;
  }
  Stmt visit(const BlockRealizeNode& n, const Stmt&) override { return fn_(n, domains_); }

 private:
  VarDomains domains_;
  std::function<Stmt(const BlockRealizeNode&, const VarDomains&)> fn_;
};

}  // namespace

Stmt rewrite_bindings(const Stmt& stmt, const VarMap& map, const VarDomains& outer) {
  Stmt substituted = map.empty() ? stmt : substitute(stmt, map);
  RealizeRewriter rw(outer, [](const BlockRealizeNode& n, const VarDomains& d) {
    std::vector<Expr> values;
    for (const Expr& v : n.iter_values) values.push_back(simplify(v, d));
    return make_block_realize(values, simplify(n.predicate, d), n.block);
  });
  return rw.mutate(substituted);
}

Stmt add_predicate(const Stmt& stmt, const Expr& cond) {
  RealizeRewriter rw({}, [&](const BlockRealizeNode& n, const VarDomains&) {
    Expr pred = is_const_true(n.predicate) ? cond : logical_and(n.predicate, cond);
    return make_block_realize(n.iter_values, pred, n.block);
  });
  return rw.mutate(stmt);
}

}  // namespace weft::sched
