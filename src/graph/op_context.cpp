#include "graph/op_context.h"

#include "support/error.h"

namespace weft::graph {

void NodeView::fail(const std::string& message) const { throw IRError(describe() + ": " + message); }

const AttrValue& NodeView::require(const std::string& name) const {
  const AttrValue* v = attrs_.find(name);
  if (!v) fail("missing attribute '" + name + "'");
  return *v;
}

int64_t NodeView::attr_int(const std::string& name) const {
  const AttrValue& v = require(name);
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  fail("attribute '" + name + "' must be an integer, got " + attr_value_str(v));
}

int64_t NodeView::attr_int(const std::string& name, int64_t fallback) const {
  return attrs_.has(name) ? attr_int(name) : fallback;
}

double NodeView::attr_float(const std::string& name) const {
  const AttrValue& v = require(name);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  fail("attribute '" + name + "' must be a number, got " + attr_value_str(v));
}

double NodeView::attr_float(const std::string& name, double fallback) const {
  return attrs_.has(name) ? attr_float(name) : fallback;
}

std::string NodeView::attr_string(const std::string& name) const {
  const AttrValue& v = require(name);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  fail("attribute '" + name + "' must be a string, got " + attr_value_str(v));
}

std::string NodeView::attr_string(const std::string& name, const std::string& fallback) const {
  return attrs_.has(name) ? attr_string(name) : fallback;
}

std::vector<int64_t> NodeView::attr_ints(const std::string& name) const {
  const AttrValue& v = require(name);
  if (auto* l = std::get_if<std::vector<int64_t>>(&v)) return *l;
  fail("attribute '" + name + "' must be a list of integers, got " + attr_value_str(v));
}

std::vector<int64_t> NodeView::attr_ints(const std::string& name, const std::vector<int64_t>& fallback) const {
  return attrs_.has(name) ? attr_ints(name) : fallback;
}

bool NodeView::attr_bool(const std::string& name, bool fallback) const {
  if (!attrs_.has(name)) return fallback;
  int64_t v = attr_int(name);
  if (v != 0 && v != 1) fail("attribute '" + name + "' must be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

DType NodeView::attr_dtype(const std::string& name, DType fallback) const {
  if (!attrs_.has(name)) return fallback;
  std::string s = attr_string(name);
  auto t = ir::parse_dtype(s);
  if (!t || !is_graph_dtype(*t)) fail("attribute '" + name + "' must be f32, f64 or i64, got '" + s + "'");
  return *t;
}

std::string InferContext::input_desc(size_t i) const {
  return "input " + std::to_string(i) + " (" + input(i).str() + ")";
}

void InferContext::expect_float(size_t i) const {
  if (!is_graph_float(input(i).dtype)) fail(input_desc(i) + " must be f32 or f64");
}

void InferContext::expect_index(size_t i) const {
  if (input(i).dtype != DType::i64) fail(input_desc(i) + " must be i64");
}

void InferContext::expect_rank(size_t i, int64_t r) const {
  if (rank(i) != r) fail(input_desc(i) + " must have rank " + std::to_string(r));
}

void InferContext::expect_min_rank(size_t i, int64_t r) const {
  if (rank(i) < r) fail(input_desc(i) + " must have rank at least " + std::to_string(r));
}

void InferContext::expect_same_float(size_t i, size_t j) const {
  expect_float(i);
  expect_float(j);
  if (input(i).dtype != input(j).dtype) fail(input_desc(i) + " and " + input_desc(j) + " differ in dtype");
}

int64_t InferContext::axis(int64_t a, int64_t r) const {
  if (a < -r || a >= r)
    fail("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
  return a < 0 ? a + r : a;
}

void KernelContext::runtime_fail(const std::string& message) const {
  throw RuntimeError(describe() + ": " + message);
}

}  // namespace weft::graph
