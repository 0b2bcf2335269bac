// Helpers for the interpreter tests: building blocks and functions tersely,
// and random host arrays.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ir/function.h"
#include "ir/interpreter.h"
#include "ir/op.h"

namespace kiln::ir::testing {

inline IterVar spatial(const Var& v, int64_t extent) {
  return {v, Range{Expr(0), index_imm(extent)}, IterKind::kSpatial};
}
inline IterVar reduction(const Var& v, int64_t extent) {
  return {v, Range{Expr(0), index_imm(extent)}, IterKind::kReduction};
}

struct BlockParts {
  std::string name = "";
  std::vector<IterVar> iter_vars = {};
  std::vector<Expr> bindings = {};
  Stmt body = {};
  Stmt init = {};
  std::vector<Buffer> alloc_buffers = {};
  Expr predicate = {};
};

inline Stmt realize(BlockParts parts) {
  auto block = std::make_shared<BlockNode>();
  block->name = std::move(parts.name);
  block->iter_vars = std::move(parts.iter_vars);
  block->body = std::move(parts.body);
  block->init = std::move(parts.init);
  block->alloc_buffers = std::move(parts.alloc_buffers);
  return block_realize(std::move(parts.bindings), std::move(parts.predicate), std::move(block));
}

inline Stmt serial(const Var& v, int64_t extent, Stmt body) {
  return for_loop(v, Expr(0), index_imm(extent), ForKind::kSerial, std::move(body));
}

template <typename T>
TensorView view(std::vector<T>& data, DataType dtype, std::vector<int64_t> shape) {
  return TensorView{data.data(), dtype, std::move(shape)};
}

inline std::vector<float> random_floats(size_t n, std::mt19937& rng, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> out(n);
  for (float& x : out) x = dist(rng);
  return out;
}

}  // namespace kiln::ir::testing
