#include "graph/json_locate.h"

#include <cctype>
#include <cstring>

namespace weft::graph {

TextPosition position_of_offset(std::string_view text, size_t offset) {
  TextPosition p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t locate(const std::vector<std::string>& pointer) {
    pos_ = 0;
    skip_ws();
    size_t found = pos_;
    for (const std::string& token : pointer) {
      if (!enter(token)) return found;
      skip_ws();
      found = pos_;
    }
    return found;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  // Reads a string at pos_ (which holds '"'), returning its raw content with
  // simple escapes decoded; \u escapes are kept verbatim (keys we look for are ASCII).
  std::string read_string() {
    std::string out;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        char e = text_[pos_ + 1];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
        pos_ += 2;
      } else {
        out += text_[pos_++];
      }
    }
    ++pos_;  // closing quote
    return out;
  }

  void skip_value() {
    skip_ws();
    char c = peek();
    if (c == '"') {
      read_string();
    } else if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++pos_;
      skip_ws();
      if (peek() == close) {
        ++pos_;
        return;
      }
      while (pos_ < text_.size()) {
        if (c == '{') {
          skip_ws();
          read_string();
          skip_ws();
          ++pos_;  // ':'
        }
        skip_value();
        skip_ws();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        ++pos_;  // close
        return;
      }
    } else {
      while (pos_ < text_.size() && !std::strchr(",}] \t\r\n", text_[pos_])) ++pos_;
    }
  }

  // Moves pos_ to the member `token` of the object or array at pos_.
  bool enter(const std::string& token) {
    char c = peek();
    if (c != '{' && c != '[') return false;
    ++pos_;
    skip_ws();
    if (peek() == (c == '{' ? '}' : ']')) return false;
    long index = 0, wanted = -1;
    if (c == '[') {
      try {
        wanted = std::stol(token);
      } catch (...) {
        return false;
      }
    }
    while (pos_ < text_.size()) {
      bool match;
      if (c == '{') {
        skip_ws();
        match = read_string() == token;
        skip_ws();
        ++pos_;  // ':'
      } else {
        match = index == wanted;
      }
      skip_ws();
      if (match) return true;
      skip_value();
      skip_ws();
      if (peek() != ',') return false;
      ++pos_;
      ++index;
    }
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

size_t locate_json_pointer(std::string_view text, const std::vector<std::string>& pointer) {
  return Scanner(text).locate(pointer);
}

}  // namespace weft::graph
