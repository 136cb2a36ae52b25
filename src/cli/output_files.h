// Files the CLI writes for a user: text files, the output directory, and the C++
// source and shared library of a CPU program (`weft compile`, `weft apply -o`).
#pragma once

#include <string>

#include "ir/stmt.h"

namespace weft::cli {

// UsageError naming the path when it cannot be written.
void write_file(const std::string& path, const std::string& text);
// Creates `dir` and its parents; UsageError naming it on failure.
void make_output_dir(const std::string& dir);
// UsageError naming `name` unless it is a C identifier: the file stem and symbol
// suffix of `--name`.
void check_output_name(const std::string& name);
// Writes `func` as C++ with the entry point `symbol` to `source` and builds it into
// the shared library `library`.
void write_cpu_library(const ir::PrimFunc& func, const std::string& symbol, const std::string& source,
                       const std::string& library);

}  // namespace weft::cli
