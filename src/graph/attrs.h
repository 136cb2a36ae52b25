// Node attributes: a small ordered map from name to int, float, string or int list.
// Typed access with defaults lives on NodeView (op_context.h), which knows the node
// and can name it in errors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace weft::graph {

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>>;

class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<const std::string, AttrValue>> items) : values_(items) {}

  Attrs& set(const std::string& name, AttrValue value) {
    values_[name] = std::move(value);
    return *this;
  }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const AttrValue* find(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
  }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, AttrValue>& items() const { return values_; }
  bool empty() const { return values_.empty(); }
  bool operator==(const Attrs& other) const = default;

  // "axis=1, perm=[0,2,1]" (sorted by name; used in DOT labels and messages).
  std::string str() const;

 private:
  std::map<std::string, AttrValue> values_;
};

std::string attr_value_str(const AttrValue& value);

}  // namespace weft::graph
