#include "cli/output_files.h"

#include <filesystem>
#include <fstream>

#include "codegen/cpp_emitter.h"
#include "ir/buffer.h"
#include "runtime/cpu_builder.h"
#include "support/error.h"

namespace weft::cli {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw UsageError("cannot write '" + path + "'");
}

void make_output_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError("cannot create output directory '" + dir + "': " + ec.message());
}

void check_output_name(const std::string& name) {
  if (!ir::is_identifier(name))
    throw UsageError("--name '" + name + "' must be a C identifier (letters, digits and _, not starting with a digit)");
}

void write_cpu_library(const ir::PrimFunc& func, const std::string& symbol, const std::string& source,
                       const std::string& library) {
  write_file(source, codegen::emit_cpp_module({{symbol, func}}));
  runtime::CpuBuilder().compile_file(source, library);
}

}  // namespace weft::cli
