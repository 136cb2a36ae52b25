// Typed errors. Every error carries the context a user needs to act on it:
// which input, where in it, and what was wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace weft {

// Base of every error weft throws on purpose. `what()` is the full message.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A broken internal invariant (a bug in weft, not in the user's input).
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error("internal error: " + message) {}
};

// An IR node built with inconsistent parts (types that do not match, bad arity, ...).
class IRError : public Error {
 public:
  explicit IRError(const std::string& message) : Error("invalid IR: " + message) {}
};

// Text input that does not parse; names the input and the line/column.
class ParseError : public Error {
 public:
  ParseError(const std::string& input, int line, int column, const std::string& message)
      : Error(input + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message),
        input_(input), line_(line), column_(column) {}
  const std::string& input() const { return input_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string input_;
  int line_;
  int column_;
};

// A user-facing request that cannot be served (unknown workload, bad flag value, ...).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

// Compiling or loading generated code failed.
class BuildError : public Error {
 public:
  explicit BuildError(const std::string& message) : Error("build failed: " + message) {}
};

// Running a compiled program failed.
class RuntimeError : public Error {
 public:
  explicit RuntimeError(const std::string& message) : Error("run failed: " + message) {}
};

#define WEFT_CHECK(cond, ErrorType, msg)      \
  do {                                        \
    if (!(cond)) throw ErrorType(msg);        \
  } while (0)

}  // namespace weft
