#include <gtest/gtest.h>

#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"

namespace kiln::ir {
namespace {

TEST(Expr, ConstantsFoldAndTypesMatch) {
  Var i("i");
  Expr e = i * 4 + 0;
  ASSERT_TRUE(e.as<BinaryNode>());
  EXPECT_EQ(e.kind(), ExprKind::kMul);
  EXPECT_TRUE(is_const_int(Expr(3) + 4, 7));
  EXPECT_TRUE(is_const_int(floordiv(Expr(-7), 2), -4));
  EXPECT_TRUE(is_const_int(floormod(Expr(-7), 2), 1));
  Var x("x", DataType::Float(32));
  EXPECT_EQ((x + 1).dtype(), DataType::Float(32));
  Var w("w", DataType::Int(64));
  EXPECT_EQ((w + i).dtype(), DataType::Int(64));
  EXPECT_EQ((i < 3).dtype(), DataType::Bool());
  EXPECT_THROW(floordiv(x, 2), std::invalid_argument);
}

TEST(Expr, DataTypeRoundTrip) {
  for (const char* s : {"float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
                        "int64", "uint8", "bool", "float32x8", "int32x4"}) {
    EXPECT_EQ(DataType::parse(s).str(), s);
  }
  EXPECT_THROW(DataType::parse("float31"), std::invalid_argument);
  EXPECT_THROW(DataType::parse("floatx"), std::invalid_argument);
}

TEST(Expr, SubstituteKeepsUnchangedNodes) {
  Var i("i"), j("j");
  Expr e = i * 4 + j;
  Expr same = substitute(e, {{Var("k"), Expr(1)}});
  EXPECT_TRUE(same.same_as(e));
  Expr changed = substitute(e, {{j, Expr(2)}});
  EXPECT_FALSE(changed.same_as(e));
  EXPECT_TRUE(substitute(changed, {{i, Expr(1)}}).as<IntImmNode>());
}

}  // namespace
}  // namespace kiln::ir
