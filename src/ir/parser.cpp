// Recursive-descent parser for the canonical IR text (grammar in printer.cpp).
#include "ir/parser.h"

#include <cmath>
#include <functional>
#include <map>
#include <unordered_map>

#include "ir/lexer.h"
#include "support/error.h"

namespace weft::ir {

namespace {

class Parser {
 public:
  Parser(const std::string& text, const std::string& input) : input_(input), tokens_(tokenize(text, input)) {}

  PrimFunc func() {
    const Token& start = peek();
    expect_ident("func");
    std::string name = "anonymous";  // normalised text omits the name
    if (peek().kind == TokenKind::Ident) name = next().text;
    expect("(");
    std::vector<Buffer> params;
    if (!accept(")")) {
      do params.push_back(buffer_decl());
      while (accept(","));
      expect(")");
    }
    expect("{");
    const Token& body_start = peek();
    if (!(body_start.kind == TokenKind::Ident && body_start.text == "block"))
      fail(body_start, "function body must be the root block");
    Stmt body = block_realize();
    expect("}");
    if (peek().kind != TokenKind::End) fail(peek(), "unexpected '" + peek().text + "' after the function");
    return build(start, [&] { return make_func(name, params, body); });
  }

 private:
  // ---- token helpers ------------------------------------------------------------
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  [[noreturn]] void fail(const Token& at, const std::string& message) const {
    throw ParseError(input_, at.line, at.column, message);
  }
  static std::string describe(const Token& t) { return t.kind == TokenKind::End ? "end of input" : "'" + t.text + "'"; }
  bool is_punct(const std::string& p, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Punct && peek(ahead).text == p;
  }
  bool is_ident(const std::string& word, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Ident && peek(ahead).text == word;
  }
  bool accept(const std::string& p) {
    if (!is_punct(p)) return false;
    next();
    return true;
  }
  void expect(const std::string& p) {
    if (!accept(p)) fail(peek(), "expected '" + p + "' but found " + describe(peek()));
  }
  void expect_ident(const std::string& word) {
    if (!is_ident(word)) fail(peek(), "expected '" + word + "' but found " + describe(peek()));
    next();
  }
  std::string ident(const char* what) {
    if (peek().kind != TokenKind::Ident) fail(peek(), std::string("expected ") + what + " but found " + describe(peek()));
    return next().text;
  }
  int64_t integer(const char* what) {
    bool negative = accept("-");
    const Token& t = peek();
    if (t.kind != TokenKind::Number || t.text.find_first_of(".eE") != std::string::npos)
      fail(t, std::string("expected ") + what + " (an integer) but found " + describe(t));
    next();
    errno = 0;
    long long v = std::strtoll(t.text.c_str(), nullptr, 10);
    if (errno == ERANGE) fail(t, "integer " + t.text + " is out of range");
    return negative ? -v : v;
  }
  DType dtype() {
    const Token& t = peek();
    auto d = t.kind == TokenKind::Ident ? parse_dtype(t.text) : std::nullopt;
    if (!d) fail(t, "expected a dtype (f64, f32, f16, bf16, i64, i32, i8, bool) but found " + describe(t));
    next();
    return *d;
  }
  // Runs an IR constructor, turning its IRError into a ParseError at `at`.
  template <typename F>
  auto build(const Token& at, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const IRError& e) {
      fail(at, e.what());
    }
  }

  // ---- names ----------------------------------------------------------------------
  Var lookup_var(const Token& at) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      if (auto f = it->find(at.text); f != it->end()) return f->second;
    fail(at, "unknown variable '" + at.text + "'");
  }
  Buffer lookup_buffer(const Token& at) {
    auto it = buffers_.find(at.text);
    if (it == buffers_.end()) fail(at, "unknown buffer '" + at.text + "'");
    return it->second;
  }
  Var define_var(const Token& at, DType type) {
    Var v = build(at, [&] { return make_var(at.text, type); });
    scopes_.back()[at.text] = v;
    return v;
  }
  Buffer buffer_decl() {
    const Token& at = peek();
    std::string name = ident("a buffer name");
    if (buffers_.count(name)) fail(at, "buffer '" + name + "' is defined twice");
    expect(":");
    DType type = dtype();
    expect("[");
    std::vector<int64_t> shape;
    if (!is_punct("]")) {
      do shape.push_back(integer("a dimension"));
      while (accept(","));
    }
    expect("]");
    std::string scope = "global";
    if (peek().kind == TokenKind::Ident && is_scope_word(peek().text)) scope = next().text;
    Buffer b = build(at, [&] { return make_buffer(name, type, shape, scope); });
    buffers_[name] = b;
    return b;
  }
  static bool is_scope_word(const std::string& w) { return is_valid_scope(w); }

  // ---- expressions ----------------------------------------------------------------
  static int precedence_of(const Token& t, BinaryOp* op) {
    if (t.kind != TokenKind::Punct) return 0;
#define WEFT_X(N, S, P)                  \
  if (P > 0 && t.text == S) {            \
    *op = BinaryOp::N;                   \
    return P;                            \
  }
    WEFT_BINARY_OPS(WEFT_X)
#undef WEFT_X
    return 0;
  }

  Expr expr(int min_precedence = 1) {
    Expr lhs = unary();
    while (true) {
      BinaryOp op;
      const Token& at = peek();
      int p = precedence_of(at, &op);
      if (p == 0 || p < min_precedence) return lhs;
      next();
      Expr rhs = expr(p + 1);
      lhs = build(at, [&] { return binary(op, lhs, rhs); });
      if (is_comparison(op)) {
        BinaryOp again;
        if (precedence_of(peek(), &again) == 3) fail(peek(), "comparisons do not chain; add parentheses");
      }
    }
  }

  Expr unary() {
    const Token& at = peek();
    if (accept("!")) {
      Expr a = unary();
      return build(at, [&] { return logical_not(a); });
    }
    if (is_punct("-") && peek(1).kind == TokenKind::Number) return int_imm(integer("an integer"));
    if (accept("(")) {
      Expr e = expr();
      expect(")");
      return e;
    }
    return primary();
  }

  std::vector<Expr> call_args(size_t count, const Token& at, const std::string& name) {
    expect("(");
    std::vector<Expr> args;
    if (!is_punct(")")) {
      do args.push_back(expr());
      while (accept(","));
    }
    expect(")");
    if (args.size() != count)
      fail(at, name + " takes " + std::to_string(count) + " argument(s), got " + std::to_string(args.size()));
    return args;
  }

  Expr immediate(DType type, const Token& at) {
    expect("(");
    Expr e;
    if (is_float(type)) {
      bool negative = accept("-");
      const Token& t = peek();
      double v;
      if (t.kind == TokenKind::Ident && (t.text == "inf" || t.text == "nan")) {
        v = t.text == "inf" ? INFINITY : NAN;
      } else if (t.kind == TokenKind::Number) {
        v = std::strtod(t.text.c_str(), nullptr);
      } else {
        fail(t, "expected a number but found " + describe(t));
      }
      next();
      e = build(at, [&] { return float_imm(negative ? -v : v, type); });
    } else if (type == DType::boolean) {
      fail(at, "write bool immediates as true or false");
    } else {
      int64_t v = integer("an integer");
      e = build(at, [&] { return int_imm(v, type); });
    }
    expect(")");
    return e;
  }

  Expr primary() {
    const Token& at = peek();
    if (at.kind == TokenKind::Number) {
      if (at.text.find_first_of(".eE") != std::string::npos)
        fail(at, "a float literal needs its type, e.g. f32(" + at.text + ")");
      return int_imm(integer("an integer"));
    }
    if (at.kind != TokenKind::Ident) fail(at, "expected an expression but found " + describe(at));
    const std::string& word = at.text;
    if (word == "true" || word == "false") {
      next();
      return bool_imm(word == "true");
    }
    if (is_punct("(", 1)) {
      next();
      if (auto t = parse_dtype(word)) return immediate(*t, at);
      if (word == "cast") {
        expect("(");
        DType t = dtype();
        expect(",");
        Expr v = expr();
        expect(")");
        return build(at, [&] { return cast(t, v); });
      }
      if (word == "select") {
        auto a = call_args(3, at, word);
        return build(at, [&] { return select(a[0], a[1], a[2]); });
      }
      if (word == "min" || word == "max") {
        auto a = call_args(2, at, word);
        return build(at, [&] { return binary(word == "min" ? BinaryOp::Min : BinaryOp::Max, a[0], a[1]); });
      }
      Intrinsic f;
      if (parse_intrinsic(word, &f)) {
        auto a = call_args(static_cast<size_t>(intrinsic_arity(f)), at, word);
        return build(at, [&] { return call(f, a); });
      }
      fail(at, "unknown function '" + word + "'");
    }
    if (is_punct("[", 1)) {
      next();
      Buffer b = lookup_buffer(at);
      auto idx = index_list();
      return build(at, [&] { return load(b, idx); });
    }
    next();
    return var_expr(lookup_var(at));
  }

  std::vector<Expr> index_list() {
    expect("[");
    std::vector<Expr> idx;
    if (!is_punct("]")) {
      do idx.push_back(expr());
      while (accept(","));
    }
    expect("]");
    return idx;
  }

  // ---- statements -----------------------------------------------------------------
  // Statements up to the closing '}' (consumed).
  Stmt body_until_brace(const Token& at) {
    std::vector<Stmt> stmts;
    while (!is_punct("}")) {
      if (peek().kind == TokenKind::End) fail(peek(), "missing '}'");
      stmts.push_back(statement());
    }
    next();
    if (stmts.empty()) fail(at, "empty body");
    return seq(stmts);
  }

  Stmt statement() {
    const Token& at = peek();
    if (is_ident("for")) return for_loop();
    if (is_ident("block")) return block_realize();
    if (is_ident("if")) return if_stmt();
    if (at.kind == TokenKind::Ident && is_punct("[", 1)) {
      next();
      Buffer b = lookup_buffer(at);
      auto idx = index_list();
      expect("=");
      Expr v = expr();
      return build(at, [&] { return store(b, v, idx); });
    }
    fail(at, "expected a statement (for, block, if or a store) but found " + describe(at));
  }

  Stmt for_loop() {
    const Token& at = next();  // for
    const Token& var_tok = peek();
    ident("a loop variable");
    DType type = DType::i32;
    if (accept(":")) type = dtype();
    expect_ident("in");
    expect_ident("range");
    expect("(");
    Expr extent = expr();
    expect(")");
    ForKind kind = ForKind::Serial;
    std::string tag;
    if (peek().kind == TokenKind::Ident && !is_ident("annotate")) {
      const Token& kt = next();
      if (!parse_for_kind(kt.text, &kind) || kind == ForKind::Serial)
        fail(kt, "unknown loop kind '" + kt.text + "' (expected parallel, vectorized, unrolled or thread(...))");
      if (kind == ForKind::ThreadBinding) {
        expect("(");
        tag = ident("a thread axis");
        expect(")");
      }
    }
    Annotations ann;
    if (is_ident("annotate")) ann = annotations();
    expect("{");
    scopes_.emplace_back();
    Var v = define_var(var_tok, type);
    Stmt body = body_until_brace(at);
    scopes_.pop_back();
    return build(at, [&] { return make_for(v, extent, kind, body, tag, ann); });
  }

  Annotations annotations() {
    expect_ident("annotate");
    expect("(");
    Annotations ann;
    if (!is_punct(")")) {
      do {
        const Token& key = peek();
        std::string k = ident("an annotation key");
        if (ann.count(k)) fail(key, "annotation '" + k + "' given twice");
        expect("=");
        ann[k] = annotation_value();
      } while (accept(","));
    }
    expect(")");
    return ann;
  }

  AnnotationValue annotation_value() {
    const Token& t = peek();
    if (t.kind == TokenKind::String) {
      next();
      return t.text;
    }
    bool negative = is_punct("-");
    const Token& num = peek(negative ? 1 : 0);
    if (num.kind == TokenKind::Number && num.text.find_first_of(".eE") == std::string::npos)
      return integer("an annotation value");
    if (num.kind == TokenKind::Number || (num.kind == TokenKind::Ident && (num.text == "inf" || num.text == "nan"))) {
      if (negative) next();
      next();
      double v = num.kind == TokenKind::Number ? std::strtod(num.text.c_str(), nullptr)
                                               : (num.text == "inf" ? INFINITY : NAN);
      return negative ? -v : v;
    }
    fail(t, "expected an annotation value (integer, float or string) but found " + describe(t));
  }

  BufferRegion region() {
    const Token& at = peek();
    if (at.kind != TokenKind::Ident) fail(at, "expected a buffer region but found " + describe(at));
    next();
    BufferRegion r{lookup_buffer(at), {}};
    expect("[");
    if (!is_punct("]")) {
      do {
        Expr min = expr();
        Expr extent = accept(":+") ? expr() : int_imm(1, min.dtype());
        r.region.push_back({min, extent});
      } while (accept(","));
    }
    expect("]");
    return r;
  }

  std::vector<BufferRegion> region_list() {
    next();  // reads / writes
    expect("(");
    std::vector<BufferRegion> regions;
    if (!is_punct(")")) {
      do regions.push_back(region());
      while (accept(","));
    }
    expect(")");
    return regions;
  }

  Stmt block_realize() {
    const Token& at = next();  // block
    std::string name = ident("a block name");
    expect("(");
    struct PendingIter {
      const Token* name;
      IterKind kind;
      Range dom;
      DType type;
      Expr value;
    };
    std::vector<PendingIter> pending;
    if (!is_punct(")")) {
      do {
        const Token& var_tok = peek();
        ident("an iterator name");
        expect(":");
        const Token& kind_tok = peek();
        std::string kind = ident("spatial or reduce");
        if (kind != "spatial" && kind != "reduce") fail(kind_tok, "expected spatial or reduce but found '" + kind + "'");
        expect("(");
        Expr min = expr();
        expect(",");
        Expr extent = expr();
        DType type = DType::i32;
        if (accept(",")) type = dtype();
        expect(")");
        expect("=");
        Expr value = expr();  // bindings are in the enclosing scope
        pending.push_back({&var_tok, kind == "spatial" ? IterKind::Spatial : IterKind::Reduce, {min, extent}, type, value});
      } while (accept(","));
    }
    expect(")");
    Expr predicate = bool_imm(true);
    if (is_ident("where")) {
      next();
      predicate = expr();
    }
    expect("{");
    scopes_.emplace_back();
    std::vector<IterVar> iter_vars;
    std::vector<Expr> values;
    for (const PendingIter& p : pending) {
      iter_vars.push_back({define_var(*p.name, p.type), p.dom, p.kind});
      values.push_back(p.value);
    }
    std::vector<Buffer> allocs;
    while (is_ident("alloc")) {
      next();
      allocs.push_back(buffer_decl());
    }
    std::vector<BufferRegion> reads, writes;
    if (is_ident("reads")) reads = region_list();
    if (is_ident("writes")) writes = region_list();
    Annotations ann;
    if (is_ident("annotate")) ann = annotations();
    Stmt init;
    if (is_ident("init")) {
      const Token& init_tok = next();
      expect("{");
      init = body_until_brace(init_tok);
    }
    Stmt body = body_until_brace(at);
    scopes_.pop_back();
    Block block = build(at, [&] { return make_block(name, iter_vars, reads, writes, body, init, allocs, ann); });
    return build(at, [&] { return make_block_realize(values, predicate, block); });
  }

  Stmt if_stmt() {
    const Token& at = next();  // if
    expect("(");
    Expr cond = expr();
    expect(")");
    expect("{");
    Stmt then_case = body_until_brace(at);
    Stmt else_case;
    if (is_ident("else")) {
      const Token& else_tok = next();
      expect("{");
      else_case = body_until_brace(else_tok);
    }
    return build(at, [&] { return if_then_else(cond, then_case, else_case); });
  }

  std::string input_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::vector<std::unordered_map<std::string, Var>> scopes_{1};
  std::map<std::string, Buffer> buffers_;
};

}  // namespace

PrimFunc parse_func(const std::string& text, const std::string& input_name) {
  return Parser(text, input_name).func();
}

}  // namespace weft::ir
