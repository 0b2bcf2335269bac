// Building expressions: typed constructors with operand type matching and
// light constant folding, plus C++ operators for readable index arithmetic.
//
// Type matching follows TVM: a constant operand takes the other operand's
// type; an integer meeting a float is cast to the float; two integers of
// different widths meet at the wider. Folding is limited to constant operands
// and identities (x + 0, x * 1); ir/arith/ does real simplification.
#pragma once

#include <vector>

#include "ir/buffer.h"
#include "ir/expr.h"

namespace kiln::ir {

Expr int_imm(DataType t, int64_t value);
Expr float_imm(DataType t, double value);
// An index constant: int32 when it fits, int64 otherwise.
Expr index_imm(int64_t value);
// A constant of type `t` (integer, float or bool) with the given value.
Expr make_const(DataType t, double value);
Expr make_zero(DataType t);

// Generic binary constructor used by all the helpers below; kind must be binary.
Expr binary(ExprKind kind, Expr a, Expr b);

Expr add(Expr a, Expr b);
Expr sub(Expr a, Expr b);
Expr mul(Expr a, Expr b);
Expr div(Expr a, Expr b);
Expr floordiv(Expr a, Expr b);
Expr floormod(Expr a, Expr b);
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr eq(Expr a, Expr b);
Expr ne(Expr a, Expr b);
Expr lt(Expr a, Expr b);
Expr le(Expr a, Expr b);
Expr gt(Expr a, Expr b);
Expr ge(Expr a, Expr b);
Expr logical_and(Expr a, Expr b);
Expr logical_or(Expr a, Expr b);
Expr logical_not(Expr a);
Expr select(Expr cond, Expr t, Expr f);
Expr cast(DataType t, Expr value);
Expr buffer_load(const Buffer& buffer, std::vector<Expr> indices);
Expr call(Intrinsic op, std::vector<Expr> args);
Expr ramp(Expr base, Expr stride, int lanes);
Expr broadcast(Expr value, int lanes);
Expr let(Var var, Expr value, Expr body);

// The smallest and largest values of a type, as constants.
Expr min_value(DataType t);
Expr max_value(DataType t);

inline Expr operator+(Expr a, Expr b) { return add(std::move(a), std::move(b)); }
inline Expr operator-(Expr a, Expr b) { return sub(std::move(a), std::move(b)); }
inline Expr operator*(Expr a, Expr b) { return mul(std::move(a), std::move(b)); }
inline Expr operator/(Expr a, Expr b) { return div(std::move(a), std::move(b)); }
// The type is read before `a` is moved: argument evaluation order is unspecified.
inline Expr operator-(Expr a) {
  DataType t = a.dtype();
  return sub(make_zero(t), std::move(a));
}
inline Expr operator<(Expr a, Expr b) { return lt(std::move(a), std::move(b)); }
inline Expr operator<=(Expr a, Expr b) { return le(std::move(a), std::move(b)); }
inline Expr operator>(Expr a, Expr b) { return gt(std::move(a), std::move(b)); }
inline Expr operator>=(Expr a, Expr b) { return ge(std::move(a), std::move(b)); }
inline Expr operator&&(Expr a, Expr b) { return logical_and(std::move(a), std::move(b)); }
inline Expr operator||(Expr a, Expr b) { return logical_or(std::move(a), std::move(b)); }
inline Expr operator!(Expr a) { return logical_not(std::move(a)); }

}  // namespace kiln::ir
