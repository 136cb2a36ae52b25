#include "ir/lexer.h"

#include <cctype>

#include "support/error.h"

namespace weft::ir {

std::vector<Token> tokenize(const std::string& text, const std::string& input_name) {
  std::vector<Token> tokens;
  int line = 1, column = 1;
  size_t i = 0;
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < text.size(); ++k, ++i) {
      if (text[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
  };
  static const char* const kPunct[] = {"->", ":+", "==", "!=", "<=", ">=", "//", "&&", "||", "(", ")", "[", "]",
                                       "{",  "}",  ",",  ":",  "=",  "<",  ">",  "+",  "-",  "*", "/", "%", "!"};
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance(1);
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') advance(1);
      continue;
    }
    int tl = line, tc = column;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' || text[j] == '.'))
        ++j;
      tokens.push_back({TokenKind::Ident, text.substr(i, j - i), tl, tc});
      advance(j - i);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j < text.size() && text[j] == '.') {
        ++j;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      }
      if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
        size_t k = j + 1;
        if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
        if (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) {
          j = k;
          while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
        }
      }
      tokens.push_back({TokenKind::Number, text.substr(i, j - i), tl, tc});
      advance(j - i);
      continue;
    }
    if (c == '"') {
      std::string value;
      advance(1);
      while (true) {
        if (i >= text.size() || text[i] == '\n') throw ParseError(input_name, tl, tc, "unterminated string");
        char d = text[i];
        if (d == '"') break;
        if (d == '\\' && i + 1 < text.size()) {
          char e = text[i + 1];
          value += (e == 'n') ? '\n' : e;
          advance(2);
          continue;
        }
        value += d;
        advance(1);
      }
      advance(1);
      tokens.push_back({TokenKind::String, value, tl, tc});
      continue;
    }
    bool matched = false;
    for (const char* p : kPunct) {
      std::string sp(p);
      if (text.compare(i, sp.size(), sp) == 0) {
        tokens.push_back({TokenKind::Punct, sp, tl, tc});
        advance(sp.size());
        matched = true;
        break;
      }
    }
    if (!matched)
      throw ParseError(input_name, tl, tc, std::string("unexpected character '") + c + "'");
  }
  tokens.push_back({TokenKind::End, "", line, column});
  return tokens;
}

}  // namespace weft::ir
