#include "schedule/primitives_annotate.h"

#include <functional>

#include "ir/substitute.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

using namespace ir;

namespace {

// ScheduleError unless iterations of `loop` are independent: the loop variable may
// feed only spatial iterators of the blocks underneath.
void check_independent_iterations(const LoopSite& site, const char* primitive) {
  const Var& var = site.node().loop_var;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    for (const Stmt& r : child_block_realizes(s)) {
      const auto& br = *r.as<BlockRealizeNode>();
      for (size_t i = 0; i < br.iter_values.size(); ++i)
        if (br.block->iter_vars[i].kind == IterKind::Reduce && uses_var(br.iter_values[i], var))
          throw ScheduleError(std::string(primitive) + ": loop " + var->name + " feeds reduction iterator '" +
                              br.block->iter_vars[i].var->name + "' of block '" + br.block->name +
                              "'; its iterations are not independent\n" + snippet(site.loop));
      if (br.block->init) walk(br.block->init);
      walk(br.block->body);
    }
  };
  walk(site.node().body);
}

void set_kind(Schedule& sch, LoopRV rv, ForKind kind, const std::string& tag, const char* primitive) {
  Var var = sch.loop_var(rv);
  LoopSite site = *find_loop(sch.func(), var.get());
  const ForNode& loop = site.node();
  if (kind != ForKind::Unrolled) check_independent_iterations(site, primitive);
  if (loop.for_kind != ForKind::Serial)
    throw ScheduleError(std::string(primitive) + ": loop " + var->name + " is already " + for_kind_name(loop.for_kind) +
                        "\n" + snippet(site.loop));
  if (kind == ForKind::Vectorized) {
    int64_t e;
    if (!is_const_int(loop.extent, &e))
      throw ScheduleError("vectorize: loop " + var->name + " has a non-constant extent");
  }
  Stmt out;
  try {
    out = make_for(loop.loop_var, loop.extent, kind, loop.body, tag, loop.annotations);
  } catch (const IRError& e) {
    throw ScheduleError(std::string(primitive) + ": " + e.what());
  }
  sch.set_func(replace_stmt(sch.func(), site.loop.get(), out));
}

Annotations with_annotation(Annotations ann, const std::string& key, const Arg& value) {
  if (const auto* i = std::get_if<int64_t>(&value.value)) ann[key] = *i;
  else if (const auto* d = std::get_if<double>(&value.value)) ann[key] = *d;
  else if (const auto* s = std::get_if<std::string>(&value.value)) ann[key] = *s;
  else throw ScheduleError("annotate: the value of '" + key + "' must be an integer, float or string");
  return ann;
}

void change_annotations(Schedule& sch, RV target, const std::function<Annotations(const Annotations&)>& fn) {
  if (target.kind == RVKind::Loop) {
    Var var = sch.loop_var(LoopRV{target.id});
    LoopSite site = *find_loop(sch.func(), var.get());
    const ForNode& l = site.node();
    sch.set_func(replace_stmt(sch.func(), site.loop.get(),
                              make_for(l.loop_var, l.extent, l.for_kind, l.body, l.thread_tag, fn(l.annotations))));
  } else if (target.kind == RVKind::Block) {
    BlockSite site = *find_block(sch.func(), sch.block_name(BlockRV{target.id}));
    BlockEdit edit;
    edit.annotations = fn(site.block().annotations);
    const auto& br = site.node();
    sch.set_func(replace_stmt(sch.func(), site.realize.get(),
                              make_block_realize(br.iter_values, br.predicate, edit_block(site.block(), edit))));
  } else {
    throw ScheduleError("annotate: the target must be a block or a loop");
  }
}

}  // namespace

void parallel(Schedule& sch, LoopRV loop) {
  set_kind(sch, loop, ForKind::Parallel, "", "parallel");
  sch.record({"parallel", {Arg(loop)}, {}, {}, std::nullopt});
}
void vectorize(Schedule& sch, LoopRV loop) {
  set_kind(sch, loop, ForKind::Vectorized, "", "vectorize");
  sch.record({"vectorize", {Arg(loop)}, {}, {}, std::nullopt});
}
void unroll(Schedule& sch, LoopRV loop) {
  set_kind(sch, loop, ForKind::Unrolled, "", "unroll");
  sch.record({"unroll", {Arg(loop)}, {}, {}, std::nullopt});
}
void bind(Schedule& sch, LoopRV loop, const std::string& thread_axis) {
  set_kind(sch, loop, ForKind::ThreadBinding, thread_axis, "bind");
  sch.record({"bind", {Arg(loop), Arg(thread_axis)}, {}, {}, std::nullopt});
}

void annotate(Schedule& sch, RV target, const std::string& key, const Arg& value) {
  if (!is_identifier(key)) throw ScheduleError("annotate: key '" + key + "' is not an identifier");
  // A value handle (e.g. from sample_categorical) annotates its integer; the trace
  // keeps the handle, so changing the sampling decision changes the annotation.
  Arg resolved = value;
  if (const auto* rv = std::get_if<RV>(&value.value); rv && rv->kind == RVKind::Expr)
    resolved = Arg(sch.expr_value(ExprRV{rv->id}));
  change_annotations(sch, target, [&](const Annotations& a) { return with_annotation(a, key, resolved); });
  sch.record({"annotate", {Arg(target), Arg(key), value}, {}, {}, std::nullopt});
}

void unannotate(Schedule& sch, RV target, const std::string& key) {
  change_annotations(sch, target, [&](const Annotations& a) {
    if (!a.count(key)) throw ScheduleError("unannotate: no annotation '" + key + "' on " + sch.describe(target));
    Annotations out = a;
    out.erase(key);
    return out;
  });
  sch.record({"unannotate", {Arg(target), Arg(key)}, {}, {}, std::nullopt});
}

namespace {

using LoopFn = void (*)(Schedule&, LoopRV);
InstructionKind loop_kind_instruction(const std::string& name, LoopFn fn) {
  return {name, RVKind::Loop, false, false,
          [name, fn](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs, const std::optional<Arg>&) {
            ArgReader r(name, in, attrs);
            r.expect_count(1);
            fn(sch, r.loop(0));
            return std::vector<RV>{};
          }};
}

RV target_of(const Arg& a) {
  const auto* rv = std::get_if<RV>(&a.value);
  if (!rv || rv->kind == RVKind::Expr) throw ScheduleError("annotate: argument 1 must be a block or a loop");
  return *rv;
}

const RegisterInstruction kParallel(loop_kind_instruction("parallel", parallel));
const RegisterInstruction kVectorize(loop_kind_instruction("vectorize", vectorize));
const RegisterInstruction kUnroll(loop_kind_instruction("unroll", unroll));
const RegisterInstruction kBind({"bind", RVKind::Loop, false, false,
                                 [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                    const std::optional<Arg>&) {
                                   ArgReader r("bind", in, attrs);
                                   r.expect_count(2);
                                   // Qualified: ADL on std::string would pick std::bind.
                                   sched::bind(sch, r.loop(0), r.string(1));
                                   return std::vector<RV>{};
                                 }});
const RegisterInstruction kAnnotate({"annotate", RVKind::Loop, false, false,
                                     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                        const std::optional<Arg>&) {
                                       ArgReader r("annotate", in, attrs);
                                       r.expect_count(3);
                                       annotate(sch, target_of(r.at(0)), r.string(1), r.at(2));
                                       return std::vector<RV>{};
                                     }});
const RegisterInstruction kUnannotate({"unannotate", RVKind::Loop, false, false,
                                       [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                          const std::optional<Arg>&) {
                                         ArgReader r("unannotate", in, attrs);
                                         r.expect_count(2);
                                         unannotate(sch, target_of(r.at(0)), r.string(1));
                                         return std::vector<RV>{};
                                       }});

}  // namespace
}  // namespace weft::sched
