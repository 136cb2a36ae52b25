// Trace operations and its text form. Text grammar, one instruction per line:
//   [outputs =] kind(arg, ..., key=value, ...) [-> decision]
// args: handles (b0, l3, v7 or any identifier defined earlier), integers, floats,
// "strings", [lists], None. `#` starts a comment.
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "ir/lexer.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/trace.h"

namespace weft::sched {

char rv_prefix(RVKind kind) {
  switch (kind) {
    case RVKind::Block: return 'b';
    case RVKind::Loop: return 'l';
    case RVKind::Expr: return 'v';
  }
  return '?';
}

static std::string rv_name(const RV& rv) { return std::string(1, rv_prefix(rv.kind)) + std::to_string(rv.id); }

std::string arg_to_text(const Arg& arg) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "None";
        } else if constexpr (std::is_same_v<T, RV>) {
          return rv_name(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[40];
          std::snprintf(buf, sizeof(buf), "%.17g", v);
          std::string s = buf;
          if (s.find_first_of(".en") == std::string::npos) s += ".0";
          return s;
        } else if constexpr (std::is_same_v<T, std::string>) {
          std::string q = "\"";
          for (char c : v) {
            if (c == '"' || c == '\\') q += '\\';
            q += c;
          }
          return q + "\"";
        } else {
          std::string s = "[";
          for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + arg_to_text(v[i]);
          return s + "]";
        }
      },
      arg.value);
}

Trace Trace::with_decision(size_t index, Arg decision) const {
  if (index >= insts_.size()) throw ScheduleError("with_decision: no instruction " + std::to_string(index));
  if (!insts_[index].decision)
    throw ScheduleError("with_decision: instruction " + std::to_string(index) + " (" + insts_[index].kind +
                        ") is not a sampling instruction");
  Trace t = *this;
  t.insts_[index].decision = std::move(decision);
  return t;
}

static void collect_rvs(const Arg& a, std::set<std::pair<int, int>>& out) {
  if (const auto* rv = std::get_if<RV>(&a.value)) out.insert({static_cast<int>(rv->kind), rv->id});
  if (const auto* l = std::get_if<Arg::List>(&a.value))
    for (const Arg& x : *l) collect_rvs(x, out);
}

Trace Trace::without_dead_instructions() const {
  std::set<std::pair<int, int>> used;
  std::vector<bool> keep(insts_.size(), false);
  for (size_t i = insts_.size(); i-- > 0;) {
    const Instruction& inst = insts_[i];
    bool needed = !instruction_kind(inst.kind).pure;
    for (const RV& o : inst.outputs) needed |= used.count({static_cast<int>(o.kind), o.id}) > 0;
    if (!needed) continue;
    keep[i] = true;
    for (const Arg& a : inst.inputs) collect_rvs(a, used);
    for (const auto& [k, a] : inst.attrs) collect_rvs(a, used);
  }
  Trace t;
  for (size_t i = 0; i < insts_.size(); ++i)
    if (keep[i]) t.insts_.push_back(insts_[i]);
  return t;
}

std::string Trace::to_text() const {
  std::ostringstream out;
  for (const Instruction& inst : insts_) {
    for (size_t i = 0; i < inst.outputs.size(); ++i) out << (i ? ", " : "") << rv_name(inst.outputs[i]);
    if (!inst.outputs.empty()) out << " = ";
    out << inst.kind << "(";
    bool first = true;
    for (const Arg& a : inst.inputs) {
      out << (first ? "" : ", ") << arg_to_text(a);
      first = false;
    }
    for (const auto& [k, a] : inst.attrs) {
      out << (first ? "" : ", ") << k << "=" << arg_to_text(a);
      first = false;
    }
    out << ")";
    if (inst.decision) out << " -> " << arg_to_text(*inst.decision);
    out << "\n";
  }
  return out.str();
}

namespace {

using ir::Token;
using ir::TokenKind;

class TraceParser {
 public:
  TraceParser(const std::string& text, const std::string& input) : input_(input), tokens_(ir::tokenize(text, input)) {}

  Trace parse() {
    Trace trace;
    while (peek().kind != TokenKind::End) trace.append(instruction());
    return trace;
  }

 private:
  const Token& peek(size_t k = 0) const { return tokens_[std::min(pos_ + k, tokens_.size() - 1)]; }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  [[noreturn]] void fail(const Token& t, const std::string& msg) const {
    throw ParseError(input_, t.line, t.column, msg);
  }
  static std::string describe(const Token& t) { return t.kind == TokenKind::End ? "end of input" : "'" + t.text + "'"; }
  bool is(const std::string& p, size_t k = 0) const { return peek(k).kind == TokenKind::Punct && peek(k).text == p; }
  void expect(const std::string& p) {
    if (!is(p)) fail(peek(), "expected '" + p + "' but found " + describe(peek()));
    next();
  }

  Instruction instruction() {
    std::vector<const Token*> out_names;
    // Outputs are present when the line starts with `name,` or `name =`.
    if (peek().kind == TokenKind::Ident && (is(",", 1) || is("=", 1))) {
      while (true) {
        if (peek().kind != TokenKind::Ident) fail(peek(), "expected a handle name but found " + describe(peek()));
        out_names.push_back(&next());
        if (is(",")) {
          next();
          continue;
        }
        expect("=");
        break;
      }
    }
    const Token& kind_tok = peek();
    if (kind_tok.kind != TokenKind::Ident) fail(kind_tok, "expected an instruction but found " + describe(kind_tok));
    next();
    if (!has_instruction_kind(kind_tok.text)) {
      try {
        instruction_kind(kind_tok.text);
      } catch (const ScheduleError& e) {
        fail(kind_tok, e.what());
      }
    }
    const InstructionKind& kind = instruction_kind(kind_tok.text);
    Instruction inst;
    inst.kind = kind.name;
    expect("(");
    if (!is(")")) {
      while (true) {
        if (peek().kind == TokenKind::Ident && is("=", 1)) {
          std::string key = next().text;
          next();
          inst.attrs.emplace_back(key, arg());
        } else {
          if (!inst.attrs.empty()) fail(peek(), "positional argument after a named one");
          inst.inputs.push_back(arg());
        }
        if (!is(",")) break;
        next();
      }
    }
    expect(")");
    if (is("->")) {
      const Token& at = next();
      if (!kind.sampling) fail(at, inst.kind + " takes no decision");
      inst.decision = arg();
    }
    for (const Token* t : out_names) {
      if (names_.count(t->text)) fail(*t, "handle '" + t->text + "' is defined twice");
      RV rv{kind.output_kind, next_id_++};
      names_[t->text] = rv;
      inst.outputs.push_back(rv);
    }
    return inst;
  }

  Arg arg() {
    const Token& t = peek();
    if (is("[")) {
      next();
      Arg::List items;
      if (!is("]")) {
        while (true) {
          items.push_back(arg());
          if (!is(",")) break;
          next();
        }
      }
      expect("]");
      return Arg(std::move(items));
    }
    if (t.kind == TokenKind::String) {
      next();
      return Arg(t.text);
    }
    bool negative = is("-") && peek(1).kind == TokenKind::Number;
    if (negative) next();
    const Token& n = peek();
    if (n.kind == TokenKind::Number) {
      next();
      if (n.text.find_first_of(".eE") != std::string::npos) {
        double v = std::strtod(n.text.c_str(), nullptr);
        return Arg(negative ? -v : v);
      }
      errno = 0;
      long long v = std::strtoll(n.text.c_str(), nullptr, 10);
      if (errno == ERANGE) fail(n, "integer " + n.text + " is out of range");
      return Arg(static_cast<int64_t>(negative ? -v : v));
    }
    if (t.kind == TokenKind::Ident) {
      next();
      if (t.text == "None") return Arg();
      auto it = names_.find(t.text);
      if (it == names_.end()) fail(t, "unknown handle '" + t.text + "'");
      return Arg(it->second);
    }
    fail(t, "expected an argument but found " + describe(t));
  }

  std::string input_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::map<std::string, RV> names_;
  int next_id_ = 0;
};

}  // namespace

Trace Trace::parse_text(const std::string& text, const std::string& input_name) {
  return TraceParser(text, input_name).parse();
}

}  // namespace weft::sched
