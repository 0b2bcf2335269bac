// Hand-built lowered GPU functions (the form codegen::lower produces, see
// codegen/lowered_form.h) that exercise the GPU printer and passes before any
// schedule: thread binding, float4 and half2 access, shared-memory staging with a
// serial reduction loop, several kernels sharing a workspace, a guarded
// thread loop.
#pragma once

#include "ir/buffer.h"
#include "ir/function.h"
#include "ir/op.h"
#include "ir/stmt.h"

namespace kiln::codegen::gpu_testing {

using ir::Buffer;
using ir::DataType;
using ir::Expr;
using ir::ForKind;
using ir::Stmt;
using ir::Var;

inline Stmt bound(const Var& v, int64_t extent, const std::string& tag, Stmt body) {
  return ir::for_loop(v, 0, ir::index_imm(extent), ForKind::kThreadBinding, std::move(body), tag);
}
inline Stmt serial(const Var& v, int64_t extent, Stmt body) {
  return ir::for_loop(v, 0, ir::index_imm(extent), ForKind::kSerial, std::move(body));
}

// C = A + B over n floats, 4 per thread as float4.
inline ir::PrimFunc vector_add4(int64_t n = 4096) {
  const DataType f32 = DataType::Float(32);
  Buffer A = ir::make_buffer("A", f32, {n}), B = ir::make_buffer("B", f32, {n}),
         C = ir::make_buffer("C", f32, {n});
  Var bx("bx"), tx("tx");
  Expr base = (bx * 64 + tx) * 4;
  Stmt store = ir::buffer_store(
      C, ir::buffer_load(A, {ir::ramp(base, 1, 4)}) + ir::buffer_load(B, {ir::ramp(base, 1, 4)}),
      {ir::ramp(base, 1, 4)});
  return ir::make_prim_func("vector_add4", {A, B, C},
                            bound(bx, n / 256, "blockIdx.x", bound(tx, 64, "threadIdx.x", store)));
}

// C = (A + B) * A over n float16 values, 2 per thread as half2 (no multiply
// then add, which a GPU compiler may fuse into one rounding).
inline ir::PrimFunc vector_add_mul_half2(int64_t n = 512) {
  const DataType f16 = DataType::Float(16);
  Buffer A = ir::make_buffer("A", f16, {n}), B = ir::make_buffer("B", f16, {n}),
         C = ir::make_buffer("C", f16, {n});
  Var bx("bx"), tx("tx");
  Expr at = ir::ramp((bx * 64 + tx) * 2, 1, 2);
  Expr a = ir::buffer_load(A, {at});
  Stmt store = ir::buffer_store(C, (a + ir::buffer_load(B, {at})) * a, {at});
  return ir::make_prim_func("vector_add_mul_half2", {A, B, C},
                            bound(bx, n / 128, "blockIdx.x", bound(tx, 64, "threadIdx.x", store)));
}

// C[m, n] = sum_k A[m, k] * B[k, n] with 16x16 tiles of A and B staged in
// shared memory, one output per thread accumulated in a local register.
inline ir::PrimFunc tiled_matmul(int64_t size = 64) {
  const DataType f32 = DataType::Float(32);
  const int64_t t = 16, tiles = size / t;
  Buffer A = ir::make_buffer("A", f32, {size * size}), B = ir::make_buffer("B", f32, {size * size}),
         C = ir::make_buffer("C", f32, {size * size});
  Buffer As = ir::make_buffer("A_shared", f32, {t * t}, "shared");
  Buffer Bs = ir::make_buffer("B_shared", f32, {t * t}, "shared");
  Buffer acc = ir::make_buffer("C_local", f32, {1}, "local");
  Var by("by"), bx("bx"), ty("ty"), tx("tx"), k0("k0"), k1("k1");
  Var ay("ay"), ax("ax"), cy("cy"), cx("cx");
  Stmt fetch_a =
      bound(ay, t, "threadIdx.y",
            bound(ax, t, "threadIdx.x",
                  ir::buffer_store(As, ir::buffer_load(A, {(by * t + ay) * size + k0 * t + ax}),
                                   {ay * t + ax})));
  Stmt fetch_b =
      bound(cy, t, "threadIdx.y",
            bound(cx, t, "threadIdx.x",
                  ir::buffer_store(Bs, ir::buffer_load(B, {(k0 * t + cy) * size + bx * t + cx}),
                                   {cy * t + cx})));
  Stmt compute =
      serial(k1, t,
             ir::buffer_store(acc,
                              ir::buffer_load(acc, {0}) + ir::buffer_load(As, {ty * t + k1}) *
                                                              ir::buffer_load(Bs, {k1 * t + tx}),
                              {0}));
  Stmt thread =
      ir::allocate(acc, ir::seq({ir::buffer_store(acc, Expr(0.0f), {0}),
                                 serial(k0, tiles, ir::seq({fetch_a, fetch_b, compute})),
                                 ir::buffer_store(C, ir::buffer_load(acc, {0}),
                                                  {(by * t + ty) * size + bx * t + tx})}));
  Stmt body =
      bound(by, tiles, "blockIdx.y",
            bound(bx, tiles, "blockIdx.x",
                  ir::allocate(As, ir::allocate(Bs, bound(ty, t, "threadIdx.y",
                                                          bound(tx, t, "threadIdx.x", thread))))));
  return ir::make_prim_func("tiled_matmul", {A, B, C}, body);
}

// 64 KB of shared memory per block, past CUDA's 48 KB of static shared
// memory: each block stages its 8192-element slices of A and B in two shared
// arrays, then C = A reversed + B rotated by one thread row, so that every
// thread reads what others wrote.
inline ir::PrimFunc large_shared() {
  const DataType f32 = DataType::Float(32);
  const int64_t threads = 256, slice = 8192, blocks = 2;
  Buffer A = ir::make_buffer("A", f32, {blocks * slice}),
         B = ir::make_buffer("B", f32, {blocks * slice}),
         C = ir::make_buffer("C", f32, {blocks * slice});
  Buffer As = ir::make_buffer("A_shared", f32, {slice}, "shared");
  Buffer Bs = ir::make_buffer("B_shared", f32, {slice}, "shared");
  Var bx("bx"), tx("tx"), fx("fx"), i("i"), j("j");
  // The fetch is a loop of its own on threadIdx.x (a cooperative fetch), so
  // that the interpreter, which runs thread loops one thread after another,
  // has every element staged before any thread reads.
  Expr fetched = i * threads + fx, written = j * threads + tx;
  Stmt fetch = bound(
      fx, threads, "threadIdx.x",
      serial(
          i, slice / threads,
          ir::seq({ir::buffer_store(As, ir::buffer_load(A, {bx * slice + fetched}), {fetched}),
                   ir::buffer_store(Bs, ir::buffer_load(B, {bx * slice + fetched}), {fetched})})));
  Stmt write = serial(
      j, slice / threads,
      ir::buffer_store(C,
                       ir::buffer_load(As, {Expr(slice - 1) - written}) +
                           ir::buffer_load(Bs, {ir::floormod(written + threads, Expr(slice))}),
                       {bx * slice + written}));
  Stmt body =
      bound(bx, blocks, "blockIdx.x",
            ir::allocate(
                As, ir::allocate(Bs, bound(tx, threads, "threadIdx.x", ir::seq({fetch, write})))));
  return ir::make_prim_func("large_shared", {A, B, C}, body);
}

// T = A * 2 (kernel 0) then C = T + A (kernel 1), T a global intermediate.
inline ir::PrimFunc two_kernels(int64_t n = 1024) {
  const DataType f32 = DataType::Float(32);
  Buffer A = ir::make_buffer("A", f32, {n}), C = ir::make_buffer("C", f32, {n});
  Buffer T = ir::make_buffer("T", f32, {n});
  Var b0("b0"), t0("t0"), b1("b1"), t1("t1");
  Stmt first = bound(b0, n / 128, "blockIdx.x",
                     bound(t0, 128, "threadIdx.x",
                           ir::buffer_store(T, ir::buffer_load(A, {b0 * 128 + t0}) * Expr(2.0f),
                                            {b0 * 128 + t0})));
  Stmt second =
      bound(b1, n / 256, "blockIdx.x",
            bound(t1, 256, "threadIdx.x",
                  ir::buffer_store(
                      C, ir::buffer_load(T, {b1 * 256 + t1}) + ir::buffer_load(A, {b1 * 256 + t1}),
                      {b1 * 256 + t1})));
  return ir::make_prim_func("two_kernels", {A, C}, ir::allocate(T, ir::seq({first, second})));
}

// Within 64-thread blocks, a loop bound to threadIdx.x over only 48 threads
// (guarded), then one over all 64; floordiv/floormod of a possibly negative
// value (helpers) and exp.
inline ir::PrimFunc guarded_and_helpers() {
  const DataType f32 = DataType::Float(32);
  Buffer A = ir::make_buffer("A", f32, {256}), C = ir::make_buffer("C", f32, {256});
  Var bx("bx"), t0("t0"), t1("t1");
  Expr i0 = bx * 64 + t0, i1 = bx * 64 + t1;
  Expr shifted = i1 - 100;  // negative for the first threads
  Stmt a =
      bound(t0, 48, "threadIdx.x",
            ir::buffer_store(C, ir::call(ir::Intrinsic::kExp, {ir::buffer_load(A, {i0})}), {i0}));
  Stmt b = bound(
      t1, 64, "threadIdx.x",
      ir::if_then_else(
          ir::ge(t1, 48),
          ir::buffer_store(
              C, ir::cast(f32, ir::floordiv(shifted, 7) * 10 + ir::floormod(shifted, 7)), {i1})));
  return ir::make_prim_func("guarded", {A, C}, bound(bx, 4, "blockIdx.x", ir::seq({a, b})));
}

}  // namespace kiln::codegen::gpu_testing
