// Host tensors: native storage per dtype, rounding on set, deterministic random
// fill, and comparison with useful messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ir/interp_numeric.h"
#include "ir/ndarray.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

const DType kAllTypes[] = {DType::f64, DType::f32, DType::f16, DType::bf16,
                           DType::i64, DType::i32, DType::i8,  DType::boolean};

template <typename T>
T raw(const NDArray& a, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const char*>(a.data()) + i * sizeof(T), sizeof(T));
  return v;
}

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

}  // namespace

TEST(NDArray, ZeroFilledWithShapeAndBytes) {
  for (DType t : kAllTypes) {
    NDArray a(t, {3, 5});
    EXPECT_EQ(a.size(), 15);
    EXPECT_EQ(a.bytes(), 15 * dtype_bytes(t));
    EXPECT_EQ(a.shape(), (std::vector<int64_t>{3, 5}));
    for (int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.get(i), 0.0) << dtype_name(t);
  }
  NDArray scalar(DType::f32, {});
  EXPECT_EQ(scalar.size(), 1);
  EXPECT_THROW(NDArray(DType::f32, {2, -1}), UsageError);
}

TEST(NDArray, RoundTripsExactValuesPerDtype) {
  const double values[] = {0.0, 1.0, -2.5, 0.375, 96.0, -120.0};
  for (DType t : kAllTypes) {
    NDArray a(t, {6});
    for (int i = 0; i < 6; ++i) {
      double v = t == DType::boolean ? (values[i] != 0) : is_float(t) ? values[i] : std::trunc(values[i]);
      a.set(i, v);
      EXPECT_EQ(a.get(i), v) << dtype_name(t) << " value " << v;
    }
  }
}

TEST(NDArray, StoresNativeElementLayout) {
  NDArray f64(DType::f64, {2}), f32(DType::f32, {2}), f16(DType::f16, {2}), bf16(DType::bf16, {2});
  NDArray i64(DType::i64, {2}), i32(DType::i32, {2}), i8(DType::i8, {2}), b(DType::boolean, {2});
  f64.set(1, 0.1);
  f32.set(1, 0.1);
  f16.set(1, 1.0);
  bf16.set(1, 1.0);
  i64.set(1, -5);
  i32.set(1, -5);
  i8.set(1, -5);
  b.set(1, 3);
  EXPECT_EQ(raw<double>(f64, 1), 0.1);
  EXPECT_EQ(raw<float>(f32, 1), 0.1f);
  EXPECT_EQ(raw<uint16_t>(f16, 1), 0x3C00);
  EXPECT_EQ(raw<uint16_t>(bf16, 1), 0x3F80);
  EXPECT_EQ(raw<int64_t>(i64, 1), -5);
  EXPECT_EQ(raw<int32_t>(i32, 1), -5);
  EXPECT_EQ(raw<int8_t>(i8, 1), -5);
  EXPECT_EQ(raw<uint8_t>(b, 1), 1);
  EXPECT_EQ(raw<uint8_t>(b, 0), 0);
}

TEST(NDArray, F16RoundsToNearestEven) {
  NDArray a(DType::f16, {1});
  auto f16 = [&](double v) {
    a.set(0, v);
    return a.get(0);
  };
  EXPECT_EQ(f16(1.0 / 3.0), 0.333251953125);
  EXPECT_EQ(raw<uint16_t>(a, 0), 0x3555);
  EXPECT_EQ(f16(1.0 + 0x1p-11), 1.0);                  // tie, to even
  EXPECT_EQ(f16(1.0 + 3 * 0x1p-11), 1.0 + 0x1p-9);     // tie, to even (upwards)
  EXPECT_EQ(f16(1.0 + 0x1p-11 + 0x1p-20), 1.0 + 0x1p-10);
  EXPECT_EQ(f16(65519.0), 65504.0);
  EXPECT_TRUE(std::isinf(f16(65520.0)));
  EXPECT_EQ(f16(0x1p-24), 0x1p-24);                    // smallest subnormal
  EXPECT_EQ(f16(0x1p-25), 0.0);                        // tie, to even (zero)
  EXPECT_EQ(f16(3 * 0x1p-26), 0x1p-24);
  EXPECT_EQ(f16(-2.0 / 3.0), -0.66650390625);
  EXPECT_TRUE(std::isnan(f16(std::nan(""))));
}

TEST(NDArray, Bf16RoundsToNearestEven) {
  NDArray a(DType::bf16, {1});
  auto bf16 = [&](double v) {
    a.set(0, v);
    return a.get(0);
  };
  EXPECT_EQ(bf16(1.0 / 3.0), 0.333984375);
  EXPECT_EQ(raw<uint16_t>(a, 0), 0x3EAB);
  EXPECT_EQ(bf16(1.0 + 0x1p-8), 1.0);                 // tie, to even
  EXPECT_EQ(bf16(1.0 + 3 * 0x1p-8), 1.0 + 0x1p-6);    // tie, to even (upwards)
  EXPECT_EQ(bf16(1.0 + 0x1p-8 + 0x1p-12), 1.0 + 0x1p-7);
  EXPECT_EQ(bf16(-3.0), -3.0);
  EXPECT_TRUE(std::isinf(bf16(3.5e38)));
  EXPECT_TRUE(std::isnan(bf16(std::nan(""))));
}

// The bit-level encoders agree with dtype.h's round_to_dtype over a wide range of
// magnitudes, subnormals and overflow included.
TEST(NDArray, RoundingAgreesWithRoundToDtype) {
  Rng rng(7);
  for (DType t : {DType::f32, DType::f16, DType::bf16}) {
    NDArray a(t, {1});
    for (int k = 0; k < 200000; ++k) {
      double mant = rng.uniform_real() * 2 - 1;
      int exp = static_cast<int>(rng.uniform_int(-140, 130));
      if (t == DType::f16) exp = static_cast<int>(rng.uniform_int(-28, 18));
      double v = std::ldexp(mant, exp);
      a.set(0, v);
      double want = round_to_dtype(v, t);
      ASSERT_EQ(a.get(0), want) << dtype_name(t) << " of " << v;
    }
  }
  // Exhaustive for f16: every finite encoding decodes and re-encodes to itself.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    double v = interp::f16_bits_to_double(static_cast<uint16_t>(h));
    if (std::isnan(v)) continue;
    ASSERT_EQ(interp::f16_bits_from_double(v), h);
    ASSERT_EQ(round_to_dtype(v, DType::f16), v);
  }
}

TEST(NDArray, IntegersTruncateAndWrap) {
  NDArray i32(DType::i32, {1}), i8(DType::i8, {1}), b(DType::boolean, {1});
  i32.set(0, 3.9);
  EXPECT_EQ(i32.get(0), 3);
  i32.set(0, -3.9);
  EXPECT_EQ(i32.get(0), -3);
  i32.set(0, 4294967296.0 + 7);
  EXPECT_EQ(i32.get(0), 7);
  i8.set(0, 200);
  EXPECT_EQ(i8.get(0), -56);
  b.set(0, 0.5);
  EXPECT_EQ(b.get(0), 1);
  b.set(0, 0);
  EXPECT_EQ(b.get(0), 0);
}

TEST(NDArray, FlatIndexOutOfRangeThrows) {
  NDArray a(DType::f32, {4});
  EXPECT_THROW(a.get(4), UsageError);
  EXPECT_THROW(a.set(-1, 0), UsageError);
}

TEST(NDArray, RandomIsDeterministicInRangeAndRounded) {
  for (DType t : kAllTypes) {
    Rng r1(42), r2(42), r3(43);
    NDArray a = NDArray::random(t, {64}, r1, -3, 5);
    NDArray b = NDArray::random(t, {64}, r2, -3, 5);
    NDArray c = NDArray::random(t, {64}, r3, -3, 5);
    ASSERT_EQ(a.bytes(), b.bytes());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.bytes()), 0) << dtype_name(t);
    EXPECT_NE(std::memcmp(a.data(), c.data(), a.bytes()), 0) << dtype_name(t);
    for (int64_t i = 0; i < a.size(); ++i) {
      double v = a.get(i);
      if (t == DType::boolean) {
        EXPECT_TRUE(v == 0 || v == 1);
        continue;
      }
      EXPECT_GE(v, -3) << dtype_name(t);
      if (is_float(t)) {
        EXPECT_LE(v, 5) << dtype_name(t);  // rounding may reach hi
      } else {
        EXPECT_LT(v, 5) << dtype_name(t);
        EXPECT_EQ(v, std::floor(v));
      }
      EXPECT_EQ(v, round_to_dtype(v, t));
    }
  }
  Rng rng(1);
  EXPECT_THROW(NDArray::random(DType::f32, {4}, rng, 2, 1), UsageError);
}

TEST(NDArray, RandomIntegersCoverTheRange) {
  Rng rng(3);
  NDArray a = NDArray::random(DType::i32, {1000}, rng, 0, 4);
  int counts[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < a.size(); ++i) counts[static_cast<int>(a.get(i))]++;
  for (int c : counts) EXPECT_GT(c, 150);
}

TEST(NDArrayCompare, EqualArraysMatch) {
  Rng rng(5);
  NDArray a = NDArray::random(DType::f32, {8, 8}, rng);
  Comparison c = compare(a, a);
  EXPECT_TRUE(c.ok);
  EXPECT_TRUE(c.message.empty());
  EXPECT_EQ(c.worst_index, -1);
}

TEST(NDArrayCompare, ReportsTheWorstElement) {
  NDArray e(DType::f64, {2, 3}), a(DType::f64, {2, 3});
  for (int i = 0; i < 6; ++i) {
    e.set(i, i);
    a.set(i, i);
  }
  a.set(4, 7.5);   // worst: off by 3.5
  a.set(5, 5.25);  // a smaller violation after it
  Comparison c = compare(e, a, 1e-6, 1e-6);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.worst_index, 4);
  EXPECT_EQ(c.expected, 4);
  EXPECT_EQ(c.actual, 7.5);
  EXPECT_TRUE(contains(c.message, "2 of 6 elements")) << c.message;
  EXPECT_TRUE(contains(c.message, "flat index 4 [1, 1]")) << c.message;
  EXPECT_TRUE(contains(c.message, "expected 4, got 7.5")) << c.message;
}

TEST(NDArrayCompare, ToleranceIsAbsolutePlusRelative) {
  NDArray e(DType::f64, {1}), a(DType::f64, {1});
  e.set(0, 100);
  a.set(0, 100.5);
  EXPECT_TRUE(compare(e, a, 0.004, 0.1).ok);    // 0.1 + 0.4 = 0.5
  EXPECT_FALSE(compare(e, a, 0.003, 0.1).ok);   // 0.1 + 0.3 = 0.4
  EXPECT_FALSE(compare(e, a, 0.0, 0.49).ok);
}

TEST(NDArrayCompare, NaNMatchesOnlyNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  NDArray e(DType::f32, {3}), a(DType::f32, {3});
  e.set(0, nan);
  a.set(0, nan);
  e.set(1, inf);
  a.set(1, inf);
  EXPECT_TRUE(compare(e, a).ok);
  a.set(2, nan);
  Comparison c = compare(e, a);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.worst_index, 2);
  EXPECT_TRUE(contains(c.message, "got nan")) << c.message;
  a.set(2, 0);
  e.set(0, 1);  // expected 1, got NaN
  EXPECT_EQ(compare(e, a).worst_index, 0);
  e.set(0, nan);
  a.set(0, nan);
  a.set(1, 1e30);  // expected inf, got a finite value
  EXPECT_FALSE(compare(e, a, 1, 1).ok);
}

TEST(NDArrayCompare, ShapeAndDtypeMismatchFail) {
  Comparison c = compare(NDArray(DType::f32, {2, 3}), NDArray(DType::f32, {3, 2}));
  EXPECT_FALSE(c.ok);
  EXPECT_TRUE(contains(c.message, "shape mismatch: expected [2, 3], got [3, 2]")) << c.message;
  c = compare(NDArray(DType::f32, {2}), NDArray(DType::f16, {2}));
  EXPECT_FALSE(c.ok);
  EXPECT_TRUE(contains(c.message, "dtype mismatch: expected f32, got f16")) << c.message;
}

TEST(NDArrayCompare, DtypeTolerances) {
  auto close = [](DType t, double expected, double actual) {
    NDArray e(t, {1}), a(t, {1});
    e.set(0, expected);
    a.set(0, actual);
    return compare(e, a).ok;
  };
  EXPECT_TRUE(close(DType::f64, 1.0, 1.0 + 1e-10));
  EXPECT_FALSE(close(DType::f64, 1.0, 1.0 + 1e-8));
  EXPECT_TRUE(close(DType::f32, 1.0, 1.00005));
  EXPECT_FALSE(close(DType::f32, 1.0, 1.001));
  EXPECT_TRUE(close(DType::f16, 1.0, 1.0146484375));
  EXPECT_FALSE(close(DType::f16, 1.0, 1.03125));
  EXPECT_TRUE(close(DType::bf16, 1.0, 1.03125));
  EXPECT_FALSE(close(DType::bf16, 1.0, 1.0625));
  EXPECT_TRUE(close(DType::i32, 7, 7));
  EXPECT_FALSE(close(DType::i32, 7, 8));
  EXPECT_FALSE(close(DType::i8, -1, 1));
  EXPECT_FALSE(close(DType::boolean, 0, 1));
}

// A tiled conv's 576-term reduction, reassociated, was 1.2e-5 off an output near zero
// among outputs of RMS about 8: within the scaled atol. An element off by a small
// fraction of the RMS, as a wrong index gives, still fails; an RMS below 1 changes nothing.
TEST(NDArrayCompare, DtypeAtolScalesWithTheOutputsRms) {
  NDArray e(DType::f32, {64}), a(DType::f32, {64});
  for (int i = 0; i < 64; ++i) {
    e.set(i, i % 2 == 0 ? 8 : -8);
    a.set(i, e.get(i));
  }
  e.set(3, 0.0009765625);
  a.set(3, 0.0009765625 + 3e-5);
  EXPECT_FALSE(compare(e, a, 1e-4, 1e-5).ok);
  Comparison c = compare(e, a);
  EXPECT_TRUE(c.ok) << c.message;
  a.set(3, 0.0009765625 + 1e-3);
  c = compare(e, a);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.worst_index, 3);
  NDArray small(DType::f32, {2}), off(DType::f32, {2});
  small.set(0, 0.5);
  off.set(0, 0.5);
  off.set(1, 2e-5);  // expected 0: beyond atol 1e-5 at RMS 0.35
  EXPECT_FALSE(compare(small, off).ok);
}
