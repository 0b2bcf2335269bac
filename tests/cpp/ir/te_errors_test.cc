// Misuses of the compute DSL: each is a std::invalid_argument that names the
// tensor or axis at fault.
#include <gtest/gtest.h>

#include "ir/dsl/te.h"

namespace kiln::te {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

constexpr DataType kF32 = DataType::Float(32);

// Runs `fn`, expects std::invalid_argument, and returns its message.
template <class F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

TEST(TeErrors, WrongIndexCountOrType) {
  Tensor A = placeholder({3, 4}, kF32, "A");
  Var i("i");
  std::string msg = error_of([&] { A(i); });
  EXPECT_NE(msg.find("`A` has 2 dimensions"), std::string::npos) << msg;
  EXPECT_NE(msg.find("1 indices"), std::string::npos) << msg;
  msg = error_of([&] { A(i, Expr(1.5f)); });
  EXPECT_NE(msg.find("index 1"), std::string::npos) << msg;
  EXPECT_THROW(Tensor()(i), std::invalid_argument);
}

TEST(TeErrors, ReduceAxisOutsideItsReduction) {
  Tensor A = placeholder({3, 4}, kF32, "A");
  ReduceAxis k = reduce_axis(0, 4, "k");
  // k is used, but the body is not a reduction over it.
  std::string msg = error_of([&] {
    compute(
        {3}, [&](const std::vector<Var>& v) { return A(v[0], k) * 2.0f; }, "B");
  });
  EXPECT_NE(msg.find("compute `B`"), std::string::npos) << msg;
  EXPECT_NE(msg.find("`k`"), std::string::npos) << msg;
  // A reduction over another axis does not make k legal either.
  ReduceAxis r = reduce_axis(0, 4, "r");
  EXPECT_THROW(compute(
                   {3}, [&](const std::vector<Var>& v) { return sum(A(v[0], k), {r}); }, "B"),
               std::invalid_argument);
  // A variable from nowhere.
  Var stray("stray");
  msg = error_of([&] {
    compute(
        {3}, [&](const std::vector<Var>& v) { return A(v[0], stray); }, "B");
  });
  EXPECT_NE(msg.find("`stray`"), std::string::npos) << msg;
}

TEST(TeErrors, BadReductions) {
  Tensor A = placeholder({3, 4}, kF32, "A");
  ReduceAxis k = reduce_axis(0, 4, "k");
  Var i("i");
  EXPECT_THROW(sum(A(i, k), {}), std::invalid_argument);
  std::string msg = error_of([&] { sum(A(i, k), {k, k}); });
  EXPECT_NE(msg.find("twice"), std::string::npos) << msg;
  msg = error_of([&] { reduce_axis(4, 4, "e"); });
  EXPECT_NE(msg.find("`e`"), std::string::npos) << msg;
  EXPECT_THROW(sum(Expr(), {k}), std::invalid_argument);
}

TEST(TeErrors, BadShapesAndAxisNames) {
  EXPECT_THROW(placeholder({3, 0}, kF32, "A"), std::invalid_argument);
  Tensor A = placeholder({3}, kF32, "A");
  std::string msg = error_of([&] {
    compute({3}, [&](const std::vector<Var>& v) { return A(v[0]); }, "B", {"i", "j"});
  });
  EXPECT_NE(msg.find("2 axis names"), std::string::npos) << msg;
  EXPECT_THROW(compute(
                   {-1}, [&](const std::vector<Var>& v) { return A(v[0]); }, "B"),
               std::invalid_argument);
}

TEST(TeErrors, CreatePrimFuncArguments) {
  Tensor A = placeholder({3}, kF32, "A");
  Tensor B = placeholder({3}, kF32, "B");
  Tensor C = compute(
      {3}, [&](const std::vector<Var>& v) { return A(v[0]) + B(v[0]); }, "C");
  // A placeholder the computation needs is missing from the arguments.
  std::string msg = error_of([&] { create_prim_func({A, C}); });
  EXPECT_NE(msg.find("placeholder `B`"), std::string::npos) << msg;
  EXPECT_NE(msg.find("compute `C`"), std::string::npos) << msg;
  // Undefined or repeated arguments.
  msg = error_of([&] { create_prim_func({A, Tensor(), C}); });
  EXPECT_NE(msg.find("argument 1"), std::string::npos) << msg;
  msg = error_of([&] { create_prim_func({A, B, C, A}); });
  EXPECT_NE(msg.find("`A` is passed twice"), std::string::npos) << msg;
  // Nothing to compute.
  EXPECT_THROW(create_prim_func({A, B}), std::invalid_argument);
  // The happy path, for contrast.
  EXPECT_NO_THROW(create_prim_func({A, B, C}));
}

TEST(TeErrors, LoadBuiltOutsideTheComputeFunction) {
  Tensor A = placeholder({3}, kF32, "A");
  ir::Buffer other = ir::make_buffer("other", kF32, std::vector<int64_t>{3});
  std::string msg = error_of([&] {
    compute(
        {3}, [&](const std::vector<Var>& v) { return ir::buffer_load(other, {v[0]}); }, "C");
  });
  EXPECT_NE(msg.find("`other`"), std::string::npos) << msg;
}

}  // namespace
}  // namespace kiln::te
