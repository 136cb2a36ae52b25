#include "random_schedule.h"

#include <algorithm>

#include "ir/printer.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_reduction.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/sampling.h"
#include "support/error.h"

namespace weft::sched::testing {

namespace {

int64_t size(Rng& rng) {
  static const int64_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16};
  return sizes[rng.uniform_int(0, 10)];
}

std::string pick(Rng& rng, const std::vector<std::string>& options) {
  return options[rng.uniform_int(0, static_cast<int64_t>(options.size()) - 1)];
}

std::string s(int64_t v) { return std::to_string(v); }

std::vector<std::string> schedulable_blocks(const Schedule& sch) {
  std::vector<std::string> names;
  for (const std::string& n : all_block_names(sch.func()))
    if (n != "root") names.push_back(n);
  return names;
}

// Picks a random block and returns its loops (recorded as get_block + get_loops).
bool random_loops(Schedule& sch, Rng& rng, std::vector<LoopRV>* loops, BlockRV* block = nullptr) {
  auto names = schedulable_blocks(sch);
  if (names.empty()) return false;
  BlockRV b = get_block(sch, pick(rng, names));
  *loops = get_loops(sch, b);
  if (block) *block = b;
  return !loops->empty();
}

// Runs a primitive that may legitimately refuse; a refusal must change nothing.
bool attempt(Schedule& sch, const std::function<void()>& primitive) {
  std::string before = ir::to_text(sch.func());
  try {
    primitive();
    return true;
  } catch (const ScheduleError&) {
    if (ir::to_text(sch.func()) != before) throw InternalError("a failed primitive changed the program");
    return false;
  }
}

}  // namespace

std::string random_spec(const std::string& op, Rng& rng) {
  auto dt = [&] { return pick(rng, {"f32", "f32", "f64"}); };
  const std::string mn = "M=" + s(size(rng)) + ",N=" + s(size(rng));
  if (op == "matmul")
    return "matmul:" + mn + ",K=" + s(size(rng)) + ",ta=" + s(rng.uniform_int(0, 1)) + ",tb=" + s(rng.uniform_int(0, 1)) +
           ",dtype=" + dt();
  if (op == "batch_matmul")
    return "batch_matmul:B=" + s(rng.uniform_int(1, 3)) + "," + mn + ",K=" + s(size(rng)) + ",ta=" +
           s(rng.uniform_int(0, 1)) + ",tb=" + s(rng.uniform_int(0, 1));
  if (op == "conv2d")
    return "conv2d:N=" + s(rng.uniform_int(1, 2)) + ",H=" + s(rng.uniform_int(3, 7)) + ",W=" + s(rng.uniform_int(3, 7)) +
           ",C=" + s(rng.uniform_int(1, 4)) + ",K=" + s(rng.uniform_int(1, 4)) + ",R=" + s(rng.uniform_int(1, 3)) +
           ",S=" + s(rng.uniform_int(1, 3)) + ",stride=" + s(rng.uniform_int(1, 2)) + ",pad=" + s(rng.uniform_int(0, 1));
  if (op == "dense_bias_gelu" || op == "dense_bias_relu") return op + ":" + mn + ",K=" + s(size(rng));
  if (op == "sum" || op == "max" || op == "mean") {
    std::string axes;
    for (int i = 0; i < 3; ++i) axes += rng.uniform_int(0, 1) ? "1" : "0";
    if (axes == "000") axes[rng.uniform_int(0, 2)] = '1';  // at least one reduced dim
    return op + ":A=" + s(size(rng)) + ",B=" + s(size(rng)) + ",C=" + s(size(rng)) + ",axes=" + axes + ",dtype=" + dt();
  }
  if (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "maximum")
    return op + ":" + mn + ",bcast=" + pick(rng, {"none", "row", "col", "scalar"}) + ",dtype=" + dt();
  if (op == "softmax" || op == "layernorm" || op == "bias_add") return op + ":" + mn + ",dtype=" + dt();
  if (op == "relu" || op == "gelu" || op == "gelu_tanh" || op == "tanh" || op == "sigmoid" || op == "exp" ||
      op == "log" || op == "sqrt" || op == "rsqrt")
    return op + ":" + mn + ",dtype=" + dt();
  return "";
}

std::vector<NamedStep> random_steps() {
  return {
      {"split",
       [](Schedule& sch, Rng& rng) {
         std::vector<LoopRV> loops;
         if (!random_loops(sch, rng, &loops)) return false;
         LoopRV l = loops[rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 1)];
         int parts = static_cast<int>(rng.uniform_int(2, 3));
         std::vector<Arg> factors;
         int none_at = static_cast<int>(rng.uniform_int(0, parts - 1));
         bool sampled = rng.uniform_int(0, 1) == 1;
         if (sampled) {
           for (ExprRV e : sample_perfect_tile(sch, l, parts, rng.uniform_int(0, 8))) factors.push_back(Arg(e));
         } else {
           for (int i = 0; i < parts; ++i) factors.push_back(i == none_at ? Arg() : Arg(rng.uniform_int(1, 5)));
         }
         return attempt(sch, [&] { split(sch, l, factors); });
       }},
      {"fuse",
       [](Schedule& sch, Rng& rng) {
         std::vector<LoopRV> loops;
         if (!random_loops(sch, rng, &loops) || loops.size() < 2) return false;
         size_t i = rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 2);
         return attempt(sch, [&] { fuse(sch, {loops[i], loops[i + 1]}); });
       }},
      {"reorder",
       [](Schedule& sch, Rng& rng) {
         std::vector<LoopRV> loops;
         if (!random_loops(sch, rng, &loops) || loops.size() < 2) return false;
         std::vector<LoopRV> order = loops;
         for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.uniform_int(0, i - 1)]);
         order.resize(rng.uniform_int(2, static_cast<int64_t>(order.size())));
         return attempt(sch, [&] { reorder(sch, order); });
       }},
      {"loop_kind",
       [](Schedule& sch, Rng& rng) {
         std::vector<LoopRV> loops;
         if (!random_loops(sch, rng, &loops)) return false;
         LoopRV l = loops[rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 1)];
         switch (rng.uniform_int(0, 2)) {
           case 0: return attempt(sch, [&] { parallel(sch, l); });
           case 1: return attempt(sch, [&] { vectorize(sch, l); });
           default: return attempt(sch, [&] { unroll(sch, l); });
         }
       }},
      {"compute_location",
       [](Schedule& sch, Rng& rng) {
         auto names = schedulable_blocks(sch);
         if (names.empty()) return false;
         BlockRV b = get_block(sch, pick(rng, names));
         return attempt(sch, [&] { compute_at(sch, b, sample_compute_location(sch, b)); });
       }},
      {"reverse_compute_at",
       [](Schedule& sch, Rng& rng) {
         auto names = schedulable_blocks(sch);
         if (names.size() < 2) return false;
         BlockRV consumer = get_block(sch, pick(rng, names));
         std::vector<LoopRV> loops;
         if (!random_loops(sch, rng, &loops)) return false;
         LoopRV l = loops[rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 1)];
         return attempt(sch, [&] { reverse_compute_at(sch, consumer, l); });
       }},
      {"cache",
       [](Schedule& sch, Rng& rng) {
         auto names = schedulable_blocks(sch);
         if (names.empty()) return false;
         BlockRV b = get_block(sch, pick(rng, names));
         std::string scope = pick(rng, {"global", "local", "shared"});
         if (rng.uniform_int(0, 1)) return attempt(sch, [&] { cache_read(sch, b, rng.uniform_int(0, 2), scope); });
         return attempt(sch, [&] { cache_write(sch, b, 0, scope); });
       }},
      {"decompose_reduction",
       [](Schedule& sch, Rng& rng) {
         std::vector<LoopRV> loops;
         BlockRV b;
         if (!random_loops(sch, rng, &loops, &b)) return false;
         LoopRV l = loops[rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 1)];
         return attempt(sch, [&] { decompose_reduction(sch, b, l); });
       }},
  };
}

void apply_random_steps(Schedule& sch, Rng& rng, int max_steps) {
  static const std::vector<NamedStep> steps = random_steps();
  int n = static_cast<int>(rng.uniform_int(1, max_steps));
  for (int i = 0; i < n; ++i) steps[rng.uniform_int(0, static_cast<int64_t>(steps.size()) - 1)].step(sch, rng);
}

}  // namespace weft::sched::testing
