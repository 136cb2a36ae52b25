#include "schedule/instruction.h"

#include <map>

#include "schedule/error.h"

namespace weft::sched {

static std::map<std::string, InstructionKind>& registry() {
  static std::map<std::string, InstructionKind> kinds;
  return kinds;
}

void register_instruction(InstructionKind kind) {
  std::string name = kind.name;
  if (!registry().emplace(name, std::move(kind)).second)
    throw InternalError("instruction kind '" + name + "' registered twice");
}

bool has_instruction_kind(const std::string& name) { return registry().count(name) > 0; }

const InstructionKind& instruction_kind(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& [n, k] : registry()) known += (known.empty() ? "" : ", ") + n;
    throw ScheduleError("unknown instruction '" + name + "' (known: " + known + ")");
  }
  return it->second;
}

std::vector<std::string> instruction_kind_names() {
  std::vector<std::string> names;
  for (const auto& [n, k] : registry()) names.push_back(n);
  return names;
}

// ---- ArgReader ------------------------------------------------------------------------

static std::string describe_arg(const Arg& a) {
  if (a.is_none()) return "None";
  if (const auto* rv = std::get_if<RV>(&a.value)) {
    const char* kinds[] = {"block ", "loop ", "value "};
    return kinds[static_cast<int>(rv->kind)] + arg_to_text(a);
  }
  if (std::holds_alternative<int64_t>(a.value)) return "integer " + arg_to_text(a);
  if (std::holds_alternative<double>(a.value)) return "float " + arg_to_text(a);
  if (std::holds_alternative<std::string>(a.value)) return "string " + arg_to_text(a);
  return "a list";
}

std::string ArgReader::where(size_t i) const { return inst_ + ": argument " + std::to_string(i + 1); }

void ArgReader::expect_count(size_t n) const {
  if (inputs_.size() != n)
    throw ScheduleError(inst_ + " takes " + std::to_string(n) + " argument(s), got " + std::to_string(inputs_.size()));
}

void ArgReader::expect_count_at_least(size_t n) const {
  if (inputs_.size() < n)
    throw ScheduleError(inst_ + " takes at least " + std::to_string(n) + " argument(s), got " +
                        std::to_string(inputs_.size()));
}

const Arg& ArgReader::at(size_t i) const {
  if (i >= inputs_.size()) throw ScheduleError(where(i) + " is missing");
  return inputs_[i];
}

BlockRV ArgReader::as_block(const Arg& a, const std::string& what) {
  const auto* rv = std::get_if<RV>(&a.value);
  if (!rv || rv->kind != RVKind::Block) throw ScheduleError(what + " must be a block, got " + describe_arg(a));
  return BlockRV{rv->id};
}
LoopRV ArgReader::as_loop(const Arg& a, const std::string& what) {
  const auto* rv = std::get_if<RV>(&a.value);
  if (!rv || rv->kind != RVKind::Loop) throw ScheduleError(what + " must be a loop, got " + describe_arg(a));
  return LoopRV{rv->id};
}
ExprRV ArgReader::as_expr(const Arg& a, const std::string& what) {
  const auto* rv = std::get_if<RV>(&a.value);
  if (!rv || rv->kind != RVKind::Expr) throw ScheduleError(what + " must be a value handle, got " + describe_arg(a));
  return ExprRV{rv->id};
}
int64_t ArgReader::as_int(const Arg& a, const std::string& what) {
  const auto* i = std::get_if<int64_t>(&a.value);
  if (!i) throw ScheduleError(what + " must be an integer, got " + describe_arg(a));
  return *i;
}
double ArgReader::as_double(const Arg& a, const std::string& what) {
  if (const auto* i = std::get_if<int64_t>(&a.value)) return static_cast<double>(*i);
  const auto* d = std::get_if<double>(&a.value);
  if (!d) throw ScheduleError(what + " must be a number, got " + describe_arg(a));
  return *d;
}

BlockRV ArgReader::block(size_t i) const { return as_block(at(i), where(i)); }
LoopRV ArgReader::loop(size_t i) const { return as_loop(at(i), where(i)); }
int64_t ArgReader::integer(size_t i) const { return as_int(at(i), where(i)); }

std::string ArgReader::string(size_t i) const {
  const auto* s = std::get_if<std::string>(&at(i).value);
  if (!s) throw ScheduleError(where(i) + " must be a string, got " + describe_arg(at(i)));
  return *s;
}

const Arg::List& ArgReader::list(size_t i) const {
  const auto* l = std::get_if<Arg::List>(&at(i).value);
  if (!l) throw ScheduleError(where(i) + " must be a list, got " + describe_arg(at(i)));
  return *l;
}

bool ArgReader::has(const std::string& key) const {
  for (const auto& [k, v] : attrs_)
    if (k == key) return true;
  return false;
}

const Arg& ArgReader::attr(const std::string& key) const {
  for (const auto& [k, v] : attrs_)
    if (k == key) return v;
  throw ScheduleError(inst_ + ": missing attribute '" + key + "'");
}

int64_t ArgReader::attr_int(const std::string& key) const { return as_int(attr(key), inst_ + ": attribute '" + key + "'"); }
int64_t ArgReader::attr_int(const std::string& key, int64_t fallback) const {
  return has(key) ? attr_int(key) : fallback;
}
std::string ArgReader::attr_string(const std::string& key) const {
  const auto* s = std::get_if<std::string>(&attr(key).value);
  if (!s) throw ScheduleError(inst_ + ": attribute '" + key + "' must be a string, got " + describe_arg(attr(key)));
  return *s;
}
const Arg::List& ArgReader::attr_list(const std::string& key) const {
  const auto* l = std::get_if<Arg::List>(&attr(key).value);
  if (!l) throw ScheduleError(inst_ + ": attribute '" + key + "' must be a list, got " + describe_arg(attr(key)));
  return *l;
}

}  // namespace weft::sched
