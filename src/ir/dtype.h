// Element types of the tensor-program IR.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::ir {

enum class DType : uint8_t { f64, f32, f16, bf16, i64, i32, i8, boolean };

std::string_view dtype_name(DType t);  // "f32", "bool", ...
std::optional<DType> parse_dtype(std::string_view name);
bool is_float(DType t);
bool is_int(DType t);  // i64, i32, i8 (not bool)
int dtype_bytes(DType t);
// Float to integer, truncating toward zero. C++ leaves NaN and out-of-range values
// undefined; here NaN gives 0 and out-of-range values saturate to int64.
int64_t float_to_int64(double v);
// Rounds a value to what `t` can hold (f32/f16/bf16 rounding, integer wrap-around,
// bool as 0/1); values are carried as doubles by the interpreter.
double round_to_dtype(double v, DType t);

}  // namespace weft::ir
