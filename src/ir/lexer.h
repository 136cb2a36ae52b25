// Tokens of the IR text (and of the schedule language, which shares its lexical
// rules). Every token carries its line and column for error messages.
#pragma once

#include <string>
#include <vector>

namespace weft::ir {

enum class TokenKind { Ident, Number, String, Punct, End };

struct Token {
  TokenKind kind;
  std::string text;  // for String: the unescaped contents
  int line;
  int column;
};

// Identifiers may contain '.' after the first character (threadIdx.x, shared.dyn).
// Punctuation: ( ) [ ] { } , : :+ = == != < <= > >= + - * / // % && || ! ->
// `#` starts a comment to the end of the line. Throws ParseError on bad characters.
std::vector<Token> tokenize(const std::string& text, const std::string& input_name);

}  // namespace weft::ir
