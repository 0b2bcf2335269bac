#include "ir/op.h"

#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

namespace kiln::ir {

namespace {

[[noreturn]] void type_error(const std::string& what) {
  throw std::invalid_argument("expression type error: " + what);
}

bool is_const(const Expr& e) {
  return e.kind() == ExprKind::kIntImm || e.kind() == ExprKind::kFloatImm;
}

double const_value(const Expr& e) {
  if (const auto* i = e.as<IntImmNode>()) return static_cast<double>(i->value);
  return e.as<FloatImmNode>()->value;
}

// Brings `a` and `b` to one type (see op.h).
void match_types(Expr& a, Expr& b, const char* op) {
  if (!a.defined() || !b.defined()) type_error(std::string(op) + " of an undefined expression");
  DataType ta = a.dtype(), tb = b.dtype();
  if (ta == tb) return;
  if (ta.lanes() != tb.lanes()) {
    if (ta.is_scalar())
      a = broadcast(a, tb.lanes());
    else if (tb.is_scalar())
      b = broadcast(b, ta.lanes());
    else
      type_error(std::string(op) + " of " + ta.str() + " and " + tb.str());
    ta = a.dtype();
    tb = b.dtype();
    if (ta == tb) return;
  }
  if (is_const(b) && !is_const(a)) {
    b = cast(ta, b);
  } else if (is_const(a) && !is_const(b)) {
    a = cast(tb, a);
  } else if (ta.is_float() && !tb.is_float()) {
    b = cast(ta, b);
  } else if (tb.is_float() && !ta.is_float()) {
    a = cast(tb, a);
  } else if ((ta.is_integer() || ta.is_bool()) && (tb.is_integer() || tb.is_bool())) {
    if (ta.bits() >= tb.bits())
      b = cast(ta, b);
    else
      a = cast(tb, a);
  } else if (ta.is_float() && tb.is_float()) {
    if (ta.bits() >= tb.bits())
      b = cast(ta, b);
    else
      a = cast(tb, a);
  } else {
    type_error(std::string(op) + " of " + ta.str() + " and " + tb.str());
  }
}

int64_t floordiv_int(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// `value` wrapped to the width of integer type `t`, as the machine would.
int64_t wrap_to_type(DataType t, uint64_t value) {
  const int bits = t.bits();
  if (bits >= 64 || t.is_bool()) return static_cast<int64_t>(value);
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  value &= mask;
  if (t.is_int() && (value >> (bits - 1)) & 1) value |= ~mask;  // sign-extend
  return static_cast<int64_t>(value);
}

// Folds two constants; returns an undefined Expr when it cannot.
Expr fold(ExprKind kind, DataType t, const Expr& a, const Expr& b) {
  if (!is_const(a) || !is_const(b) || t.is_vector()) return Expr();
  if (a.dtype().is_integer() || a.dtype().is_bool()) {
    int64_t x = a.as<IntImmNode>()->value, y = b.as<IntImmNode>()->value;
    // Unsigned arithmetic wraps where signed arithmetic would be undefined.
    const uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
    const bool div_overflows = y == 0 || (y == -1 && x == std::numeric_limits<int64_t>::min());
    switch (kind) {
      case ExprKind::kAdd: return int_imm(t, wrap_to_type(t, ux + uy));
      case ExprKind::kSub: return int_imm(t, wrap_to_type(t, ux - uy));
      case ExprKind::kMul: return int_imm(t, wrap_to_type(t, ux * uy));
      case ExprKind::kDiv:
        return div_overflows ? Expr() : int_imm(t, wrap_to_type(t, static_cast<uint64_t>(x / y)));
      case ExprKind::kFloorDiv:
        return div_overflows
                   ? Expr()
                   : int_imm(t, wrap_to_type(t, static_cast<uint64_t>(floordiv_int(x, y))));
      case ExprKind::kFloorMod:
        return div_overflows
                   ? Expr()
                   : int_imm(t,
                             wrap_to_type(t, ux - static_cast<uint64_t>(floordiv_int(x, y)) * uy));
      case ExprKind::kMin: return int_imm(t, std::min(x, y));
      case ExprKind::kMax: return int_imm(t, std::max(x, y));
      case ExprKind::kEQ: return int_imm(t, x == y);
      case ExprKind::kNE: return int_imm(t, x != y);
      case ExprKind::kLT: return int_imm(t, x < y);
      case ExprKind::kLE: return int_imm(t, x <= y);
      case ExprKind::kGT: return int_imm(t, x > y);
      case ExprKind::kGE: return int_imm(t, x >= y);
      case ExprKind::kAnd: return int_imm(t, x && y);
      case ExprKind::kOr: return int_imm(t, x || y);
      default: return Expr();
    }
  }
  double x = const_value(a), y = const_value(b);
  switch (kind) {
    case ExprKind::kAdd: return float_imm(t, x + y);
    case ExprKind::kSub: return float_imm(t, x - y);
    case ExprKind::kMul: return float_imm(t, x * y);
    case ExprKind::kMin: return float_imm(t, std::min(x, y));
    case ExprKind::kMax: return float_imm(t, std::max(x, y));
    case ExprKind::kEQ: return int_imm(t, x == y);
    case ExprKind::kNE: return int_imm(t, x != y);
    case ExprKind::kLT: return int_imm(t, x < y);
    case ExprKind::kLE: return int_imm(t, x <= y);
    case ExprKind::kGT: return int_imm(t, x > y);
    case ExprKind::kGE: return int_imm(t, x >= y);
    default: return Expr();
  }
}

}  // namespace

Expr int_imm(DataType t, int64_t value) {
  if (!(t.is_integer() || t.is_bool()) || t.is_vector())
    type_error("an integer constant cannot have type " + t.str());
  if (t.is_bool()) value = value != 0;
  return Expr(std::make_shared<IntImmNode>(t, value));
}

Expr float_imm(DataType t, double value) {
  if (!t.is_float() || t.is_vector()) type_error("a float constant cannot have type " + t.str());
  return Expr(std::make_shared<FloatImmNode>(t, value));
}

Expr index_imm(int64_t value) {
  bool fits =
      value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max();
  return int_imm(fits ? DataType::Int(32) : DataType::Int(64), value);
}

Expr make_const(DataType t, double value) {
  if (t.is_vector()) return broadcast(make_const(t.element_of(), value), t.lanes());
  if (t.is_float()) return float_imm(t, value);
  return int_imm(t, static_cast<int64_t>(value));
}

Expr make_zero(DataType t) { return make_const(t, 0); }

Expr binary(ExprKind kind, Expr a, Expr b) {
  if (!is_binary(kind)) throw std::logic_error("binary(): not a binary kind");
  const char* op = binary_op_name(kind);
  if (kind == ExprKind::kAnd || kind == ExprKind::kOr) {
    if (!a.defined() || !b.defined() || !a.dtype().is_bool() || !b.dtype().is_bool())
      type_error(std::string("'") + op + "' needs boolean operands");
  }
  match_types(a, b, op);
  DataType t = a.dtype();
  if (t.is_bool() && !(kind == ExprKind::kAnd || kind == ExprKind::kOr || kind == ExprKind::kEQ ||
                       kind == ExprKind::kNE))
    type_error(std::string("'") + op + "' of booleans");
  if ((kind == ExprKind::kFloorDiv || kind == ExprKind::kFloorMod) && !t.is_integer())
    type_error(std::string("'") + op + "' needs integer operands, got " + t.str());
  DataType result = is_comparison(kind) ? DataType::Bool(t.lanes()) : t;
  if (Expr folded = fold(kind, result, a, b)) return folded;
  // Identities that keep printed programs tidy.
  switch (kind) {
    case ExprKind::kAdd:
      if (is_const_int(b, 0)) return a;
      if (is_const_int(a, 0)) return b;
      break;
    case ExprKind::kSub:
      if (is_const_int(b, 0)) return a;
      break;
    case ExprKind::kMul:
      if (is_const_int(b, 1)) return a;
      if (is_const_int(a, 1)) return b;
      break;
    case ExprKind::kFloorDiv:
    case ExprKind::kDiv:
      if (is_const_int(b, 1)) return a;
      break;
    case ExprKind::kFloorMod:
      if (is_const_int(b, 1)) return int_imm(t, 0);
      break;
    default: break;
  }
  return Expr(std::make_shared<BinaryNode>(kind, result, std::move(a), std::move(b)));
}

Expr add(Expr a, Expr b) { return binary(ExprKind::kAdd, std::move(a), std::move(b)); }
Expr sub(Expr a, Expr b) { return binary(ExprKind::kSub, std::move(a), std::move(b)); }
Expr mul(Expr a, Expr b) { return binary(ExprKind::kMul, std::move(a), std::move(b)); }
Expr div(Expr a, Expr b) { return binary(ExprKind::kDiv, std::move(a), std::move(b)); }
Expr floordiv(Expr a, Expr b) { return binary(ExprKind::kFloorDiv, std::move(a), std::move(b)); }
Expr floormod(Expr a, Expr b) { return binary(ExprKind::kFloorMod, std::move(a), std::move(b)); }
Expr min(Expr a, Expr b) { return binary(ExprKind::kMin, std::move(a), std::move(b)); }
Expr max(Expr a, Expr b) { return binary(ExprKind::kMax, std::move(a), std::move(b)); }
Expr eq(Expr a, Expr b) { return binary(ExprKind::kEQ, std::move(a), std::move(b)); }
Expr ne(Expr a, Expr b) { return binary(ExprKind::kNE, std::move(a), std::move(b)); }
Expr lt(Expr a, Expr b) { return binary(ExprKind::kLT, std::move(a), std::move(b)); }
Expr le(Expr a, Expr b) { return binary(ExprKind::kLE, std::move(a), std::move(b)); }
Expr gt(Expr a, Expr b) { return binary(ExprKind::kGT, std::move(a), std::move(b)); }
Expr ge(Expr a, Expr b) { return binary(ExprKind::kGE, std::move(a), std::move(b)); }
Expr logical_and(Expr a, Expr b) { return binary(ExprKind::kAnd, std::move(a), std::move(b)); }
Expr logical_or(Expr a, Expr b) { return binary(ExprKind::kOr, std::move(a), std::move(b)); }

Expr logical_not(Expr a) {
  if (!a.defined() || !a.dtype().is_bool()) type_error("'not' needs a boolean operand");
  if (const int64_t* v = as_const_int(a)) return int_imm(a.dtype(), !*v);
  return Expr(std::make_shared<NotNode>(std::move(a)));
}

Expr select(Expr cond, Expr t, Expr f) {
  if (!cond.defined() || !cond.dtype().is_bool()) type_error("select needs a boolean condition");
  match_types(t, f, "select");
  return Expr(std::make_shared<SelectNode>(std::move(cond), std::move(t), std::move(f)));
}

Expr cast(DataType t, Expr value) {
  if (!value.defined()) type_error("cast of an undefined expression");
  if (value.dtype() == t) return value;
  if (t.lanes() != value.dtype().lanes()) {
    if (value.dtype().is_scalar())
      return broadcast(cast(t.element_of(), std::move(value)), t.lanes());
    type_error("cast from " + value.dtype().str() + " to " + t.str() + " changes the lane count");
  }
  if (t.is_scalar() && is_const(value)) {
    if (const auto* i = value.as<IntImmNode>()) {
      if (t.is_float()) return float_imm(t, static_cast<double>(i->value));
      if (t.is_bool()) return int_imm(t, i->value != 0);
      return int_imm(t, wrap_to_type(t, static_cast<uint64_t>(i->value)));
    }
    double v = value.as<FloatImmNode>()->value;
    if (t.is_float()) return float_imm(t, v);
    if (t.is_bool()) return int_imm(t, v != 0);
    // Out-of-range float -> int has no value in C++: leave it to run time.
    if (!(v > -9.2e18 && v < 9.2e18)) return Expr(std::make_shared<CastNode>(t, std::move(value)));
    return int_imm(t, wrap_to_type(t, static_cast<uint64_t>(static_cast<int64_t>(v))));
  }
  return Expr(std::make_shared<CastNode>(t, std::move(value)));
}

Expr buffer_load(const Buffer& buffer, std::vector<Expr> indices) {
  if (!buffer.defined()) type_error("load from an undefined buffer");
  if (indices.size() != buffer->shape.size())
    type_error("load from " + buffer->name + " with " + std::to_string(indices.size()) +
               " indices, but the buffer has " + std::to_string(buffer->shape.size()) +
               " dimensions");
  int lanes = 1;
  for (const Expr& i : indices) {
    if (!i.defined() || !(i.dtype().is_integer()))
      type_error("index into " + buffer->name + " is not an integer");
    lanes = std::max(lanes, i.dtype().lanes());
  }
  return Expr(std::make_shared<BufferLoadNode>(buffer->dtype.with_lanes(lanes), buffer,
                                               std::move(indices)));
}

Expr call(Intrinsic op, std::vector<Expr> args) {
  if (static_cast<int>(args.size()) != intrinsic_arity(op))
    type_error(std::string(intrinsic_name(op)) + " takes " + std::to_string(intrinsic_arity(op)) +
               " arguments, got " + std::to_string(args.size()));
  for (size_t i = 1; i < args.size(); ++i) match_types(args[0], args[i], intrinsic_name(op));
  DataType t = op == Intrinsic::kIsNan ? DataType::Bool(args[0].dtype().lanes()) : args[0].dtype();
  if (!args[0].dtype().is_float()) {
    // Math on integers computes in float32, as TE does for exp(int).
    for (auto& a : args) a = cast(DataType::Float(32, a.dtype().lanes()), a);
    if (op != Intrinsic::kIsNan) t = args[0].dtype();
  }
  return Expr(std::make_shared<CallNode>(t, op, std::move(args)));
}

Expr ramp(Expr base, Expr stride, int lanes) {
  if (lanes < 2) type_error("a ramp needs at least 2 lanes");
  match_types(base, stride, "ramp");
  return Expr(std::make_shared<RampNode>(std::move(base), std::move(stride), lanes));
}

Expr broadcast(Expr value, int lanes) {
  if (!value.defined() || value.dtype().is_vector()) type_error("broadcast needs a scalar");
  if (lanes == 1) return value;
  return Expr(std::make_shared<BroadcastNode>(std::move(value), lanes));
}

Expr let(Var var, Expr value, Expr body) {
  if (var.dtype() != value.dtype())
    type_error("let binds " + var.name() + " of type " + var.dtype().str() + " to a " +
               value.dtype().str());
  return Expr(std::make_shared<LetNode>(std::move(var), std::move(value), std::move(body)));
}

Expr min_value(DataType t) {
  DataType s = t.element_of();
  Expr v;
  if (s.is_float()) {
    v = float_imm(s, -std::numeric_limits<double>::infinity());
  } else if (s.is_uint() || s.is_bool()) {
    v = int_imm(s, 0);
  } else {
    v = int_imm(
        s, s.bits() == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (s.bits() - 1)));
  }
  return broadcast(v, t.lanes());
}

Expr max_value(DataType t) {
  DataType s = t.element_of();
  Expr v;
  if (s.is_float()) {
    v = float_imm(s, std::numeric_limits<double>::infinity());
  } else if (s.is_bool()) {
    v = int_imm(s, 1);
  } else if (s.is_uint()) {
    v = int_imm(
        s, s.bits() == 64 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << s.bits()) - 1);
  } else {
    v = int_imm(s, s.bits() == 64 ? std::numeric_limits<int64_t>::max()
                                  : (int64_t{1} << (s.bits() - 1)) - 1);
  }
  return broadcast(v, t.lanes());
}

}  // namespace kiln::ir
