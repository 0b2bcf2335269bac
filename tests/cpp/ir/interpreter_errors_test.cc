// Every way the interpreter refuses to run, and what its message says: a
// message must name the buffer/parameter/variable at fault and the values.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "interpreter_test_util.h"

namespace kiln::ir {
namespace {

using testing::BlockParts;
using testing::realize;
using testing::serial;
using testing::spatial;
using testing::view;

const DataType kF32 = DataType::Float(32);

// The message of the InterpreterError that running `func` throws ("" if none).
std::string error_of(const PrimFunc& func, const std::vector<TensorView>& args) {
  try {
    interpret(func, args);
  } catch (const InterpreterError& e) {
    return e.what();
  }
  return "";
}

void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  ASSERT_FALSE(message.empty()) << "no InterpreterError was thrown";
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "the message should mention `" << part << "`:\n"
        << message;
  }
}

// B[i] = A[i + shift] for i in [0, 8).
PrimFunc shifted_copy(int shift) {
  Buffer a = make_buffer("A", kF32, {8});
  Buffer b = make_buffer("B", kF32, {8});
  Var i("i");
  return make_prim_func(
      "shifted_copy", {a, b},
      make_root_block(serial(i, 8, buffer_store(b, buffer_load(a, {i + shift}), {i}))));
}

TEST(InterpreterErrors, OutOfBoundsLoadNamesBufferIndexShapeAndStatement) {
  std::vector<float> a(8, 1.0f), b(8, 0.0f);
  std::string message = error_of(shifted_copy(1), {view(a, kF32, {8}), view(b, kF32, {8})});
  expect_mentions(message, {"load from", "`A`", "(8,)", "outside [0, 8)", "B[i] = A[i + 1]",
                            "shifted_copy", "block \"root\""});
  // Everything before the fault ran; nothing after it.
  EXPECT_EQ(b[6], 1.0f);
  EXPECT_EQ(b[7], 0.0f);
  expect_mentions(error_of(shifted_copy(-1), {view(a, kF32, {8}), view(b, kF32, {8})}),
                  {"`A`", "(-1,)"});
}

TEST(InterpreterErrors, OutOfBoundsStoreNamesIndexTupleAndBlock) {
  Buffer c = make_buffer("C", kF32, {4, 6});
  Var i("i"), j("j"), vi("vi"), vj("vj");
  // Transposed bindings: vj runs to 5 in the first dimension, of extent 4.
  Stmt block = realize({.name = "T",
                        .iter_vars = {spatial(vi, 4), spatial(vj, 6)},
                        .bindings = {i, j},
                        .body = buffer_store(c, Expr(1.0f), {vj, vi})});
  PrimFunc func =
      make_prim_func("transpose", {c}, make_root_block(serial(i, 4, serial(j, 6, block))));
  std::vector<float> data(24);
  expect_mentions(
      error_of(func, {view(data, kF32, {4, 6})}),
      {"store to", "`C`", "(4, 0)", "(4, 6)", "dimension 0", "block \"T\"", "C[vj, vi]"});
}

TEST(InterpreterErrors, OutOfBoundsVectorAccessNamesTheLane) {
  Buffer a = make_buffer("A", kF32, {10});
  Buffer b = make_buffer("B", kF32, {12});
  Var i("i");
  Stmt body = buffer_store(b, buffer_load(a, {ramp(i * 4, 1, 4)}), {ramp(i * 4, 1, 4)});
  PrimFunc func = make_prim_func("vec", {a, b}, serial(i, 3, body));
  std::vector<float> x(10), y(12);
  expect_mentions(error_of(func, {view(x, kF32, {10}), view(y, kF32, {12})}),
                  {"load from", "`A`", "(10,)", "lane 2"});
}

TEST(InterpreterErrors, WrongArgumentsNameTheParameter) {
  PrimFunc func = shifted_copy(0);
  std::vector<float> a(8), b(8), small(4);
  std::vector<double> wide(8);
  expect_mentions(error_of(func, {view(a, kF32, {8})}),
                  {"shifted_copy", "expects 2 arguments", "given 1"});
  expect_mentions(error_of(func, {view(a, kF32, {8}), view(wide, DataType::Float(64), {8})}),
                  {"`B`", "float32 (8,)", "float64 (8,)"});
  expect_mentions(error_of(func, {view(small, kF32, {4}), view(b, kF32, {8})}),
                  {"`A`", "float32 (8,)", "float32 (4,)"});
  expect_mentions(error_of(func, {view(a, kF32, {8}), view(b, kF32, {2, 4})}), {"`B`", "(2, 4)"});
  expect_mentions(error_of(func, {TensorView{nullptr, kF32, {8}}, view(b, kF32, {8})}),
                  {"`A`", "null"});
}

TEST(InterpreterErrors, IterVarOutsideDomainIsAWrongSchedule) {
  // A split of 100 into 13 x 8 without the predicate reaches vi = 100.
  Buffer a = make_buffer("A", kF32, {100});
  Var io("i_0"), ii("i_1"), vi("vi");
  Stmt block = realize({.name = "B",
                        .iter_vars = {spatial(vi, 100)},
                        .bindings = {io * 8 + ii},
                        .body = buffer_store(a, Expr(0.0f), {vi})});
  PrimFunc func =
      make_prim_func("split", {a}, make_root_block(serial(io, 13, serial(ii, 8, block))));
  std::vector<float> data(100);
  expect_mentions(
      error_of(func, {view(data, kF32, {100})}),
      {"iter var `vi`", "block \"B\"", "is 100", "i_0 = 12, i_1 = 4", "[0, 100)", "i_0 * 8 + i_1"});
}

TEST(InterpreterErrors, IntegerDivisionByZero) {
  for (ExprKind kind : {ExprKind::kDiv, ExprKind::kFloorDiv, ExprKind::kFloorMod}) {
    Buffer a = make_buffer("A", DataType::Int(32), {4});
    Buffer b = make_buffer("B", DataType::Int(32), {4});
    Var i("i");
    Stmt body = buffer_store(a, binary(kind, buffer_load(a, {i}), buffer_load(b, {i})), {i});
    PrimFunc func = make_prim_func("divide", {a, b}, make_root_block(serial(i, 4, body)));
    std::vector<int32_t> x = {7, 8, 9, 10}, y = {1, 2, 0, 3};
    expect_mentions(
        error_of(func, {view(x, DataType::Int(32), {4}), view(y, DataType::Int(32), {4})}),
        {"division by zero", "dividend 9", "A[i]"});
  }
  // Float division by zero is IEEE, not an error.
  Buffer f = make_buffer("F", kF32, {1});
  PrimFunc func = make_prim_func("fdiv", {f}, buffer_store(f, buffer_load(f, {0}) / 0.0f, {0}));
  std::vector<float> v = {1.0f};
  interpret(func, {view(v, kF32, {1})});
  EXPECT_EQ(v[0], INFINITY);
}

TEST(InterpreterErrors, ProgramsThatCannotRunAreRejectedBeforeRunning) {
  Buffer a = make_buffer("A", kF32, {4});
  std::vector<float> data(4, 3.0f);
  Var i("i"), stray("stray");
  // A variable nobody binds.
  PrimFunc unbound =
      make_prim_func("unbound", {a}, serial(i, 4, buffer_store(a, Expr(1.0f), {stray})));
  expect_mentions(error_of(unbound, {view(data, kF32, {4})}), {"`stray`", "binds"});
  // A buffer that is neither a parameter nor allocated.
  Buffer ghost = make_buffer("ghost", kF32, {4});
  PrimFunc unallocated = make_prim_func(
      "unallocated", {a}, serial(i, 4, buffer_store(a, buffer_load(ghost, {i}), {i})));
  expect_mentions(error_of(unallocated, {view(data, kF32, {4})}),
                  {"`ghost`", "neither a parameter nor allocated"});
  // A buffer used after the block that allocated it.
  Buffer local = make_buffer("local", kF32, {4}, "local");
  Stmt inner = realize(
      {.name = "inner", .body = buffer_store(local, Expr(2.0f), {0}), .alloc_buffers = {local}});
  PrimFunc escaped = make_prim_func(
      "escaped", {a}, make_root_block(seq({inner, buffer_store(a, buffer_load(local, {0}), {0})})));
  expect_mentions(error_of(escaped, {view(data, kF32, {4})}), {"`local`"});
  // Nothing ran.
  EXPECT_EQ(data, std::vector<float>(4, 3.0f));
}

}  // namespace
}  // namespace kiln::ir
