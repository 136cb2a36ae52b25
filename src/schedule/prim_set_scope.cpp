#include "schedule/cache_buffer_rewrite.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

void set_scope(Schedule& sch, BlockRV block_rv, int64_t buffer_index, const std::string& scope) {
  const std::string name = sch.block_name(block_rv);
  const BlockSite site = *find_block(sch.func(), name);
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("set_scope: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  if (!is_valid_scope(scope))
    fail("unknown storage scope '" + scope +
         "' (expected global, shared, shared.dyn, local, frag.matrix_a, frag.matrix_b or frag.accumulator)");
  if (buffer_index < 0 || buffer_index >= static_cast<int64_t>(block.writes.size()))
    fail("buffer index " + std::to_string(buffer_index) + " is out of range: block '" + name + "' writes " +
         std::to_string(block.writes.size()) + " region(s)");
  const Buffer buffer = block.writes[buffer_index].buffer;
  if (is_param(sch.func(), buffer.get()))
    fail("buffer '" + buffer->name + "' is a parameter of the function; only a buffer allocated by a block can change scope");

  if (buffer->scope != scope) {
    const Buffer moved = make_buffer(buffer->name, buffer->dtype, buffer->shape, scope);
    const PrimFunc& f = sch.func();
    sch.set_func(make_func(f->name, f->params, swap_buffer(f->body, BufferSwap{buffer.get(), moved, true, true, true})));
  }
  sch.record({"set_scope", {Arg(block_rv), Arg(buffer_index), Arg(scope)}, {}, {}, std::nullopt});
}

namespace {
const RegisterInstruction kSetScope({"set_scope", RVKind::Block, false, false,
                                     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                        const std::optional<Arg>&) {
                                       ArgReader r("set_scope", in, attrs);
                                       r.expect_count(3);
                                       set_scope(sch, r.block(0), r.integer(1), r.string(2));
                                       return std::vector<RV>{};
                                     }});
}  // namespace

}  // namespace weft::sched
