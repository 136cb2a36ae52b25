#include "ir/simplify.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_loops.h"

namespace weft::sched {

using namespace ir;

std::vector<LoopRV> split(Schedule& sch, LoopRV loop_rv, const std::vector<Arg>& factor_args) {
  Var var = sch.loop_var(loop_rv);
  LoopSite site = *find_loop(sch.func(), var.get());
  const ForNode& loop = site.node();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("split: " + msg + "\n  loop " + var->name + ":\n" + snippet(site.loop));
  };
  int64_t extent = const_extent(loop, "split");
  if (factor_args.size() < 2) fail("needs at least two factors, got " + std::to_string(factor_args.size()));

  std::vector<int64_t> factors(factor_args.size(), 0);
  int inferred = -1;
  int64_t product = 1;
  for (size_t i = 0; i < factor_args.size(); ++i) {
    const Arg& a = factor_args[i];
    if (a.is_none()) {
      if (inferred >= 0) fail("at most one factor may be None");
      inferred = static_cast<int>(i);
      continue;
    }
    int64_t f = std::holds_alternative<RV>(a.value)
                    ? sch.expr_value(ArgReader::as_expr(a, "split: factor " + std::to_string(i + 1)))
                    : ArgReader::as_int(a, "split: factor " + std::to_string(i + 1));
    if (f < 1) fail("factor " + std::to_string(i + 1) + " is " + std::to_string(f) + "; factors must be positive");
    factors[i] = f;
    product *= f;
  }
  if (inferred >= 0) {
    factors[inferred] = (extent + product - 1) / product;
    product *= factors[inferred];
  }
  if (product < extent)
    fail("factors multiply to " + std::to_string(product) + ", less than the loop extent " + std::to_string(extent));

  // New loop variables i_0, i_1, ... and the expression that rebuilds i from them.
  std::vector<Var> vars;
  Expr rebuilt;
  for (size_t i = 0; i < factors.size(); ++i) {
    vars.push_back(make_var(var->name + "_" + std::to_string(i), var->dtype));
    Expr v = var_expr(vars.back());
    rebuilt = rebuilt ? rebuilt * int_imm(factors[i], var->dtype) + v : v;
  }
  VarDomains domains = loop_domains(site.outer_loops);
  for (size_t i = 0; i < vars.size(); ++i) domains[vars[i].get()] = Interval::from_extent(0, factors[i]);

  Stmt body = rewrite_bindings(loop.body, {{var.get(), rebuilt}}, domains);
  if (product > extent)  // non-divisible: guard the tail iterations
    body = rewrite_bindings(add_predicate(body, lt(rebuilt, int_imm(extent, var->dtype))), {}, domains);
  for (size_t i = vars.size(); i-- > 0;)
    body = make_for(vars[i], int_imm(factors[i], var->dtype), ForKind::Serial, body);

  sch.set_func(replace_stmt(sch.func(), site.loop.get(), body));
  std::vector<LoopRV> out;
  std::vector<RV> outs;
  for (const Var& v : vars) {
    out.push_back(sch.make_loop_rv(v));
    outs.push_back({RVKind::Loop, out.back().id});
  }
  sch.record({"split", {Arg(loop_rv), Arg(Arg::List(factor_args))}, {}, outs, std::nullopt});
  return out;
}

namespace {
const RegisterInstruction kSplit({"split", RVKind::Loop, false, false,
                                  [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                     const std::optional<Arg>&) {
                                    ArgReader r("split", in, attrs);
                                    r.expect_count(2);
                                    std::vector<RV> out;
                                    for (LoopRV l : split(sch, r.loop(0), r.list(1))) out.push_back({RVKind::Loop, l.id});
                                    return out;
                                  }});
}  // namespace

}  // namespace weft::sched
