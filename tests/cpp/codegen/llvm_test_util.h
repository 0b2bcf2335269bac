// Helpers for the LLVM backend tests: compile a hand-built lowered function,
// run it on random inputs and compare every buffer with the interpreter's.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "codegen/llvm/llvm_backend.h"
#include "ir/buffer.h"
#include "ir/interpreter.h"
#include "ir/interpreter/float16.h"
#include "ir/op.h"
#include "runtime/ndarray.h"

namespace kiln::codegen::testing {

using ir::DataType;

// The signature of a lowered function: its flat parameters.
inline runtime::KernelSignature flat_signature(const ir::PrimFunc& func) {
  runtime::KernelSignature sig;
  sig.name = func->name;
  for (const ir::Buffer& p : func->params) {
    sig.params.push_back({p->name, runtime::parse_dtype(p->dtype.str()), ir::static_shape(p)});
  }
  return sig;
}

inline runtime::Module jit_build(const ir::PrimFunc& func, const Target& target = Target("llvm")) {
  return build_llvm({{func, flat_signature(func)}}, target);
}

// Element i of a buffer of `t` as a double (floats, bools) or an integer.
struct Element {
  bool is_float;
  double f;
  int64_t i;
};

inline Element read_element(const void* data, DataType t, int64_t i) {
  const char* p = static_cast<const char*>(data) + i * t.bytes();
  auto get = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  if (t.is_bfloat16()) return {true, ir::bfloat16_bits_to_double(get(uint16_t{})), 0};
  if (t.is_float()) {
    if (t.bits() == 16) return {true, ir::half_bits_to_double(get(uint16_t{})), 0};
    if (t.bits() == 32) return {true, get(float{}), 0};
    return {true, get(double{}), 0};
  }
  if (t.is_bool()) return {false, 0, get(uint8_t{}) != 0};
  const bool s = t.is_int();
  switch (t.bits()) {
    case 8: return {false, 0, s ? get(int8_t{}) : get(uint8_t{})};
    case 16: return {false, 0, s ? get(int16_t{}) : get(uint16_t{})};
    case 32: return {false, 0, s ? get(int32_t{}) : get(uint32_t{})};
    default: return {false, 0, get(int64_t{})};
  }
}

// Fills `n` elements of `t` at `data`.
using Filler = std::function<void(void* data, DataType t, int64_t n, std::mt19937& rng)>;

// Floats uniform in [lo, hi]; integers uniform in [lo, hi] clamped to the
// type; bools half and half.
inline Filler uniform(double lo, double hi) {
  return [lo, hi](void* data, DataType t, int64_t n, std::mt19937& rng) {
    char* p = static_cast<char*>(data);
    for (int64_t i = 0; i < n; ++i, p += t.bytes()) {
      if (t.is_float()) {
        const double v = std::uniform_real_distribution<double>(lo, hi)(rng);
        if (t.is_bfloat16()) {
          const uint16_t b = ir::double_to_bfloat16_bits(v);
          std::memcpy(p, &b, 2);
        } else if (t.bits() == 16) {
          const uint16_t b = ir::double_to_half_bits(v);
          std::memcpy(p, &b, 2);
        } else if (t.bits() == 32) {
          const float f = static_cast<float>(v);
          std::memcpy(p, &f, 4);
        } else {
          std::memcpy(p, &v, 8);
        }
      } else if (t.is_bool()) {
        *p = static_cast<char>(rng() & 1);
      } else {
        const int64_t v = std::uniform_int_distribution<int64_t>(static_cast<int64_t>(lo),
                                                                 static_cast<int64_t>(hi))(rng);
        std::memcpy(p, &v, t.bytes());  // little-endian: the low bytes
      }
    }
  };
}

// Random bit patterns: every value of the type, NaN and inf included, plus
// a share of small integers and halves (the edges of rounding).
inline Filler random_bits() {
  return [](void* data, DataType t, int64_t n, std::mt19937& rng) {
    char* p = static_cast<char*>(data);
    std::mt19937_64 wide(rng());
    for (int64_t i = 0; i < n; ++i, p += t.bytes()) {
      uint64_t bits = wide();
      if (t.is_bool()) bits &= 1;
      if (i % 4 == 1 && !t.is_float())
        bits = static_cast<uint64_t>(static_cast<int64_t>(bits % 600) - 300);
      std::memcpy(p, &bits, t.bytes());
      if (i % 4 == 3 && t.is_float()) {
        // A small value or an exact half, as the type stores it.
        const double v = static_cast<double>(static_cast<int64_t>(bits % 4001) - 2000) / 2;
        uniform(v, v)(p, t, 1, rng);
      }
    }
  };
}

struct Tolerance {
  double rtol = 1e-5;
  double atol = 1e-6;
};

// Compiles `func`, runs it and the interpreter on the same random inputs
// (every parameter, outputs included, starts with the same data) and expects
// every buffer to match. `fills[i]` fills parameter i (default uniform(-2, 2)).
inline void expect_matches_interpreter(const ir::PrimFunc& func, std::vector<Filler> fills = {},
                                       Tolerance tol = {}, uint32_t seed = 1,
                                       const Target& target = Target("llvm")) {
  runtime::Module module = jit_build(func, target);
  std::mt19937 rng(seed);
  std::vector<runtime::NDArray> arrays;
  std::vector<std::vector<char>> copies;
  std::vector<ir::TensorView> views;
  for (size_t i = 0; i < func->params.size(); ++i) {
    const ir::Buffer& p = func->params[i];
    const int64_t n = ir::num_elements(p);
    runtime::NDArray a = runtime::NDArray::empty({n}, runtime::parse_dtype(p->dtype.str()));
    Filler fill = i < fills.size() && fills[i] ? fills[i] : uniform(-2, 2);
    fill(a.data(), p->dtype, n, rng);
    copies.emplace_back(static_cast<char*>(a.data()),
                        static_cast<char*>(a.data()) + n * p->dtype.bytes());
    arrays.push_back(a);
  }
  for (size_t i = 0; i < func->params.size(); ++i) {
    views.push_back(
        {copies[i].data(), func->params[i]->dtype, {ir::num_elements(func->params[i])}});
  }
  module.entry()(arrays);
  ir::interpret(func, views);
  for (size_t i = 0; i < func->params.size(); ++i) {
    const ir::Buffer& p = func->params[i];
    int mismatches = 0;
    for (int64_t k = 0; k < ir::num_elements(p) && mismatches < 5; ++k) {
      const Element got = read_element(arrays[i].data(), p->dtype, k);
      const Element want = read_element(copies[i].data(), p->dtype, k);
      bool ok;
      if (got.is_float) {
        ok = (std::isnan(got.f) && std::isnan(want.f)) || got.f == want.f ||
             std::fabs(got.f - want.f) <= tol.atol + tol.rtol * std::fabs(want.f);
      } else {
        ok = got.i == want.i;
      }
      if (!ok) {
        ++mismatches;
        ADD_FAILURE() << func->name << ": " << p->name << "[" << k << "] is "
                      << (got.is_float ? std::to_string(got.f) : std::to_string(got.i))
                      << ", the interpreter says "
                      << (want.is_float ? std::to_string(want.f) : std::to_string(want.i));
      }
    }
  }
}

// ---- building lowered functions tersely

inline const DataType f32 = DataType::Float(32);
inline ir::Expr i32(int64_t v) { return ir::int_imm(DataType::Int(32), v); }

inline ir::Stmt loop(const ir::Var& v, int64_t extent, ir::Stmt body,
                     ir::ForKind kind = ir::ForKind::kSerial) {
  return ir::for_loop(v, ir::int_imm(v.dtype(), 0), ir::int_imm(v.dtype(), extent), kind,
                      std::move(body));
}

inline ir::Buffer flat(const std::string& name, DataType t, int64_t n,
                       const std::string& scope = "global") {
  return ir::make_buffer(name, t, {n}, scope);
}

inline ir::Expr load(const ir::Buffer& b, ir::Expr index) {
  return ir::buffer_load(b, {std::move(index)});
}
inline ir::Stmt store(const ir::Buffer& b, ir::Expr value, ir::Expr index) {
  return ir::buffer_store(b, std::move(value), {std::move(index)});
}

}  // namespace kiln::codegen::testing
