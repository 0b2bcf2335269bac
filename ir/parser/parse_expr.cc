// Expressions: Python precedence, nodes built exactly as written (no folding).
#include <charconv>
#include <cmath>
#include <limits>

#include "ir/op.h"
#include "ir/parser/parser_impl.h"
#include "ir/parser/syntax.h"

namespace kiln::ir::script {

namespace {

bool compare_kind(const Token& t, ExprKind* kind) {
  if (t.kind != Tok::kOp) return false;
  static const std::pair<const char*, ExprKind> kOps[] = {
      {"==", ExprKind::kEQ}, {"!=", ExprKind::kNE}, {"<", ExprKind::kLT},
      {"<=", ExprKind::kLE}, {">", ExprKind::kGT},  {">=", ExprKind::kGE}};
  for (const auto& [text, k] : kOps) {
    if (t.text == text) {
      *kind = k;
      return true;
    }
  }
  return false;
}

bool is_const(const Expr& e) {
  return e.kind() == ExprKind::kIntImm || e.kind() == ExprKind::kFloatImm;
}

bool canonical_dtype(const std::string& text, DataType* t) {
  return DataType::try_parse(text, t) && !t->is_void() && t->str() == text;
}

}  // namespace

PExpr Parser::checked(PExpr e, const Token& at) {
  if (e.depth > kMaxExprDepth)
    fail_msg(at, "found an expression nested more than " + std::to_string(kMaxExprDepth) +
                     " deep; expected a shallower expression (name parts of it with let)");
  return e;
}

Expr Parser::convert(const Expr& e, DataType t, const Token& at) {
  DataType from = e.dtype();
  if (from == t) return e;
  if (from.is_void() || t.is_void() || t.lanes() == 0)
    fail_msg(at, "found a conversion from " + from.str() + " to " + t.str() +
                     "; expected values of number or bool types");
  if (from.lanes() != t.lanes()) {
    if (!from.is_scalar())
      fail_msg(at, "found a " + from.str() + " where a " + t.str() +
                       " is needed; expected values with the same number of lanes");
    return Expr(std::make_shared<BroadcastNode>(convert(e, t.element_of(), at), t.lanes()));
  }
  if (const auto* i = e.as<IntImmNode>()) {
    if (t.is_float()) return float_imm(t, static_cast<double>(i->value));
    return int_imm(t, i->value);
  }
  if (const auto* f = e.as<FloatImmNode>()) {
    double v = f->value;
    if (t.is_float()) return float_imm(t, v);
    if (t.is_bool()) return int_imm(t, v != 0);
    // 2^63 is the first double past int64.
    if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0))
      fail_msg(at, "found constant " + format_float(v) + " used as a " + t.str() +
                       "; expected a value the integer type can hold");
    return int_imm(t, static_cast<int64_t>(v));
  }
  return Expr(std::make_shared<CastNode>(t, e));
}

void Parser::match_types(PExpr& a, PExpr& b, const char* op, const Token& at) {
  DataType ta = a.e.dtype(), tb = b.e.dtype();
  if (ta == tb) return;
  if (ta.lanes() != tb.lanes()) {
    if (ta.is_scalar() && !ta.is_void()) {
      a = PExpr{Expr(std::make_shared<BroadcastNode>(a.e, tb.lanes())), a.depth + 1};
    } else if (tb.is_scalar() && !tb.is_void()) {
      b = PExpr{Expr(std::make_shared<BroadcastNode>(b.e, ta.lanes())), b.depth + 1};
    } else {
      fail_msg(at, std::string("found '") + op + "' of " + ta.str() + " and " + tb.str() +
                       "; expected operands with the same number of lanes");
    }
    ta = a.e.dtype();
    tb = b.e.dtype();
    if (ta == tb) return;
  }
  bool ints_a = ta.is_integer() || ta.is_bool(), ints_b = tb.is_integer() || tb.is_bool();
  if (!(ints_a || ta.is_float()) || !(ints_b || tb.is_float()))
    fail_msg(at, std::string("found '") + op + "' of " + ta.str() + " and " + tb.str() +
                     "; expected number or bool operands");
  // As ir/op.h: a constant takes the other side's type; an integer meeting
  // a float becomes the float; otherwise the wider type wins.
  bool to_a;
  if (is_const(b.e) != is_const(a.e))
    to_a = is_const(b.e);
  else if (ta.is_float() != tb.is_float())
    to_a = ta.is_float();
  else
    to_a = ta.bits() >= tb.bits();
  if (to_a) {
    b = PExpr{convert(b.e, ta, at), b.depth + 1};
  } else {
    a = PExpr{convert(a.e, tb, at), a.depth + 1};
  }
}

PExpr Parser::make_binary(ExprKind kind, PExpr a, PExpr b, const Token& at) {
  std::string op = std::string("'") + binary_op_name(kind) + "'";
  if ((kind == ExprKind::kAnd || kind == ExprKind::kOr) &&
      !(a.e.dtype().is_bool() && b.e.dtype().is_bool()))
    fail_msg(at, "found " + op + " of " + a.e.dtype().str() + " and " + b.e.dtype().str() +
                     "; expected boolean operands");
  match_types(a, b, binary_op_name(kind), at);
  DataType t = a.e.dtype();
  if (t.is_bool() && !(kind == ExprKind::kAnd || kind == ExprKind::kOr || kind == ExprKind::kEQ ||
                       kind == ExprKind::kNE))
    fail_msg(at,
             "found " + op + " of booleans; expected numbers (booleans take and, or, not, ==, !=)");
  if ((kind == ExprKind::kFloorDiv || kind == ExprKind::kFloorMod) && !t.is_integer())
    fail_msg(at,
             "found " + op + " of " + t.str() + "; expected integer operands (use / for floats)");
  DataType result = is_comparison(kind) ? DataType::Bool(t.lanes()) : t;
  PExpr r{Expr(std::make_shared<BinaryNode>(kind, result, a.e, b.e)),
          std::max(a.depth, b.depth) + 1};
  return checked(r, at);
}

PExpr Parser::expr() {
  Nest nest(this, peek());
  return or_expr();
}

PExpr Parser::or_expr() {
  PExpr a = and_expr();
  while (at_name("or")) {
    const Token& op = next();
    a = make_binary(ExprKind::kOr, a, and_expr(), op);
  }
  return a;
}

PExpr Parser::and_expr() {
  PExpr a = not_expr();
  while (at_name("and")) {
    const Token& op = next();
    a = make_binary(ExprKind::kAnd, a, not_expr(), op);
  }
  return a;
}

PExpr Parser::not_expr() {
  if (!at_name("not")) return comparison();
  const Token& op = next();
  Nest nest(this, op);
  PExpr a = not_expr();
  if (!a.e.dtype().is_bool())
    fail_msg(op, "found 'not' of a " + a.e.dtype().str() + "; expected a boolean operand");
  return checked(PExpr{Expr(std::make_shared<NotNode>(a.e)), a.depth + 1}, op);
}

PExpr Parser::comparison() {
  PExpr a = arith();
  ExprKind kind;
  if (!compare_kind(peek(), &kind)) return a;
  const Token& op = next();
  a = make_binary(kind, a, arith(), op);
  if (compare_kind(peek(), &kind))
    fail(peek(), "no second comparison (chained comparisons are not supported: add parentheses)");
  return a;
}

PExpr Parser::arith() {
  PExpr a = term();
  while (at_op("+") || at_op("-")) {
    const Token& op = next();
    a = make_binary(op.text == "+" ? ExprKind::kAdd : ExprKind::kSub, a, term(), op);
  }
  return a;
}

PExpr Parser::term() {
  PExpr a = unary();
  while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
    const Token& op = next();
    ExprKind kind = op.text == "*"    ? ExprKind::kMul
                    : op.text == "/"  ? ExprKind::kDiv
                    : op.text == "//" ? ExprKind::kFloorDiv
                                      : ExprKind::kFloorMod;
    a = make_binary(kind, a, unary(), op);
  }
  return a;
}

PExpr Parser::unary() {
  if (!at_op("-")) return primary();
  const Token& op = next();
  // A minus sign on a literal is part of the literal: `-5` is the constant -5.
  if (at(Tok::kInt) || at(Tok::kFloat) || at_name("inf") || at_name("nan")) return literal(true);
  Nest nest(this, op);
  PExpr a = unary();
  Expr zero = build(op, "a number to negate", [&] { return make_zero(a.e.dtype()); });
  return make_binary(ExprKind::kSub, PExpr{zero, 1}, a, op);
}

PExpr Parser::primary() {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::kInt:
    case Tok::kFloat: return literal(false);
    case Tok::kName: return name_expr();
    case Tok::kString: fail(t, "an expression (a string is not a value)");
    default: break;
  }
  if (at_op("(")) {
    next();
    PExpr e = expr();
    if (at_op(",")) fail(peek(), "')' (tuples are not expressions)");
    expect_op(")", "')' to close the parenthesis");
    return e;
  }
  fail(t, "an expression");
}

int64_t Parser::int_value(const Token& t, bool negative) const {
  // Accumulate the magnitude; 2^63 is allowed only for a negative literal.
  uint64_t mag = 0;
  const uint64_t limit = negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (char c : t.text) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (mag > (limit - d) / 10)
      fail_msg(t, "found integer " + (negative ? "-" : std::string()) + t.text.substr(0, 40) +
                      ", which does not fit 64 bits; expected a value in the int64 range");
    mag = mag * 10 + d;
  }
  if (negative)
    return mag == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                      : -static_cast<int64_t>(mag);
  return static_cast<int64_t>(mag);
}

double Parser::float_value(const Token& t, bool negative) const {
  double v = 0;
  if (t.kind == Tok::kName) {
    v = t.text == "inf" ? std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::quiet_NaN();
  } else {
    auto res = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (res.ec != std::errc() || res.ptr != t.text.data() + t.text.size())
      fail_msg(t, "found number " + t.text.substr(0, 40) +
                      ", which is out of the double range; expected a finite number (or inf)");
  }
  return negative ? -v : v;
}

PExpr Parser::literal(bool negative) {
  const Token& t = next();
  if (t.kind == Tok::kInt) {
    int64_t v = int_value(t, negative);
    bool fits =
        v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    return PExpr{int_imm(fits ? DataType::Int(32) : DataType::Int(64), v)};
  }
  return PExpr{float_imm(DataType::Float(32), float_value(t, negative))};
}

PExpr Parser::typed_constant(const Token& callee, DataType t) {
  if (t.is_vector())
    fail_msg(callee, "found a constant of vector type " + t.str() +
                         "; expected a scalar type (make vectors with broadcast(value, lanes))");
  expect_op("(", "'(' and a literal after the type name " + callee.text);
  bool negative = false;
  if (at_op("-")) {
    next();
    negative = true;
  }
  const Token& v = peek();
  Expr out;
  if (t.is_bool()) {
    if (negative || !(at_name("True") || at_name("False") || at(Tok::kInt)))
      fail(v, "True, False or an integer in bool(...)");
    next();
    out = int_imm(t, v.kind == Tok::kInt ? (int_value(v, false) != 0) : v.text == "True");
  } else if (t.is_integer()) {
    if (!at(Tok::kInt)) fail(v, "an integer literal in " + t.str() + "(...)");
    next();
    out = int_imm(t, int_value(v, negative));
  } else if (t.is_float()) {
    if (!(at(Tok::kInt) || at(Tok::kFloat) || at_name("inf") || at_name("nan")))
      fail(v, "a number, inf or nan in " + t.str() + "(...)");
    next();
    out = float_imm(t, float_value(v, negative));
  } else {
    fail_msg(callee, "found constant of type " + t.str() + "; expected a number or bool type");
  }
  expect_op(")", "')' after the literal of " + t.str() + "(...)");
  return PExpr{out};
}

std::vector<PExpr> Parser::call_args(const Token& callee, size_t count) {
  expect_op("(", "'(' after " + callee.text);
  std::vector<PExpr> args;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0)
      expect_op(",", "',' and argument " + std::to_string(i + 1) + " of " + std::to_string(count) +
                         " of " + callee.text + "(...)");
    args.push_back(expr());
  }
  expect_op(")", "')' after the " + std::to_string(count) + " argument" + (count == 1 ? "" : "s") +
                     " of " + callee.text + "(...)");
  return args;
}

int Parser::lanes_literal(int min_lanes) {
  const Token& t = peek();
  if (!at(Tok::kInt)) fail(t, "a lane count (an integer literal)");
  next();
  int64_t v = int_value(t, false);
  if (v < min_lanes || v > 65535)
    fail_msg(t, "found lane count " + t.text.substr(0, 40) + "; expected " +
                    std::to_string(min_lanes) + " to 65535 lanes");
  return static_cast<int>(v);
}

DataType Parser::dtype_string(const std::string& what) {
  const Token& t = expect_string("a data type string for " + what + " (\"float32\", \"int64\"...)");
  DataType dt;
  if (!canonical_dtype(t.text, &dt))
    fail_msg(t, "found unknown data type \"" + t.text.substr(0, 40) +
                    "\"; expected float16/32/64, bfloat16, int8/16/32/64, uint8/16/32/64 or bool, "
                    "optionally with lanes (\"float32x8\")");
  return dt;
}

Expr Parser::index_expr(const std::string& what) {
  const Token& at = peek();
  PExpr e = expr();
  DataType t = e.e.dtype();
  if (!t.is_integer() || !t.is_scalar())
    fail_msg(at, "found " + what + " of type " + t.str() + "; expected a scalar integer");
  return e.e;
}

std::vector<PExpr> Parser::subscript(const Token& name, const Buffer& buffer) {
  const Token& open = expect_op("[", "'[' after buffer " + name.text);
  std::vector<PExpr> idx;
  if (at_op("(") && at_op(")", 1)) {
    next();
    next();
  } else {
    idx.push_back(expr());
    while (at_op(",")) {
      next();
      idx.push_back(expr());
    }
  }
  expect_op("]", "',' or ']' in the indices of " + name.text);
  if (idx.size() != buffer->shape.size())
    fail_msg(open, "found " + std::to_string(idx.size()) + " indices into " + name.text +
                       "; expected " + std::to_string(buffer->shape.size()) +
                       ", one per dimension" +
                       (buffer->shape.empty() ? " (write " + name.text + "[()])" : ""));
  return idx;
}

Expr Parser::extent_from_bounds(Expr* lo_ptr, Expr hi, const Token& at) {
  // The inverse of the printer's upper bound: `0, n`, `4, 12` (constants), or
  // `lo, lo + extent`; anything else is hi - lo.
  PExpr lo_p{*lo_ptr}, hi_p{hi};
  match_types(lo_p, hi_p, ":", at);
  const Expr& lo = *lo_ptr = lo_p.e;
  hi = hi_p.e;
  const auto* a = lo.as<IntImmNode>();
  const auto* b = hi.as<IntImmNode>();
  if (a && a->value == 0) return hi;
  if (a && b && a->dtype.is_integer()) {
    int64_t diff;
    if (__builtin_sub_overflow(b->value, a->value, &diff))
      fail_msg(at, "found bounds " + std::to_string(a->value) + " and " + std::to_string(b->value) +
                       " whose extent overflows 64 bits; expected a smaller range");
    return int_imm(a->dtype, diff);
  }
  if (const auto* add = hi.as<BinaryNode>();
      add && hi.kind() == ExprKind::kAdd && same_expr(add->a, lo))
    return add->b;
  return make_binary(ExprKind::kSub, PExpr{hi}, PExpr{lo}, at).e;
}

Range Parser::span() {
  next();  // 'span'
  expect_op("(", "'(' after span");
  Expr mn = index_expr("the start of a span");
  expect_op(",", "',' and the extent of span(min, extent)");
  Expr ext = index_expr("the extent of a span");
  expect_op(")", "')' after span(min, extent)");
  return Range{mn, ext};
}

PExpr Parser::name_expr() {
  const Token& t = next();
  const std::string& n = t.text;
  if (n == "True" || n == "False") return PExpr{int_imm(DataType::Bool(), n == "True")};
  if (n == "inf" || n == "nan") return PExpr{float_imm(DataType::Float(32), float_value(t, false))};
  if (const Binding* b = lookup(n)) {
    if (b->var.defined()) return PExpr{b->var};
    std::vector<PExpr> idx = subscript(t, b->buffer);
    std::vector<Expr> es;
    int depth = 0;
    for (PExpr& i : idx) {
      es.push_back(i.e);
      depth = std::max(depth, i.depth);
    }
    Buffer buf = b->buffer;
    Expr load = build(t, "integer indices", [&] { return buffer_load(buf, std::move(es)); });
    return checked(PExpr{load, depth + 1}, t);
  }
  if (!at_op("(")) {
    if (is_reserved(n))
      fail_msg(t, "found reserved word '" + n +
                      "' used as a value; expected a variable, a buffer "
                      "load or a literal");
    fail_msg(t, "found unknown name '" + n.substr(0, 40) +
                    "'; expected a variable or buffer defined in an enclosing scope");
  }
  return call_expr(t);
}

PExpr Parser::call_expr(const Token& t) {
  const std::string& n = t.text;
  auto deepest = [](const std::vector<PExpr>& args) {
    int d = 0;
    for (const PExpr& a : args) d = std::max(d, a.depth);
    return d + 1;
  };
  if (n == "min" || n == "max") {
    std::vector<PExpr> a = call_args(t, 2);
    return make_binary(n == "min" ? ExprKind::kMin : ExprKind::kMax, a[0], a[1], t);
  }
  if (n == "select") {
    std::vector<PExpr> a = call_args(t, 3);
    if (!a[0].e.dtype().is_bool())
      fail_msg(t, "found select with a " + a[0].e.dtype().str() +
                      " condition; expected a bool condition");
    match_types(a[1], a[2], "select", t);
    Expr e(std::make_shared<SelectNode>(a[0].e, a[1].e, a[2].e));
    return checked(PExpr{e, deepest(a) + 1}, t);
  }
  if (n == "cast") {
    expect_op("(", "'(' after cast");
    DataType dt = dtype_string("cast");
    expect_op(",", "',' and the value to cast");
    PExpr v = expr();
    expect_op(")", "')' after the value of cast(...)");
    DataType vt = v.e.dtype();
    if (vt.is_void()) fail_msg(t, "found a cast of a void value; expected a value");
    Expr e;
    if (dt.lanes() == vt.lanes()) {
      e = Expr(std::make_shared<CastNode>(dt, v.e));
    } else if (vt.is_scalar()) {
      e = Expr(std::make_shared<BroadcastNode>(
          Expr(std::make_shared<CastNode>(dt.element_of(), v.e)), dt.lanes()));
    } else {
      fail_msg(t, "found a cast from " + vt.str() + " to " + dt.str() +
                      "; expected the same number of lanes");
    }
    return checked(PExpr{e, v.depth + 2}, t);
  }
  if (n == "ramp") {
    expect_op("(", "'(' after ramp");
    PExpr base = expr();
    expect_op(",", "',' and the stride of ramp(base, stride, lanes)");
    PExpr stride = expr();
    expect_op(",", "',' and the lane count of ramp(base, stride, lanes)");
    int lanes = lanes_literal(2);
    expect_op(")", "')' after ramp(base, stride, lanes)");
    if (!base.e.dtype().is_scalar() || !stride.e.dtype().is_scalar())
      fail_msg(t, "found a vector base or stride in ramp; expected scalars");
    match_types(base, stride, "ramp", t);
    Expr e(std::make_shared<RampNode>(base.e, stride.e, lanes));
    return checked(PExpr{e, std::max(base.depth, stride.depth) + 1}, t);
  }
  if (n == "broadcast") {
    expect_op("(", "'(' after broadcast");
    PExpr v = expr();
    expect_op(",", "',' and the lane count of broadcast(value, lanes)");
    int lanes = lanes_literal(1);
    expect_op(")", "')' after broadcast(value, lanes)");
    DataType vt = v.e.dtype();
    if (!vt.is_scalar() || vt.is_void())
      fail_msg(t, "found broadcast of a " + vt.str() + "; expected a scalar value");
    return checked(PExpr{Expr(std::make_shared<BroadcastNode>(v.e, lanes)), v.depth + 1}, t);
  }
  if (n == "let") {
    expect_op("(", "'(' after let");
    const Token& name = expect_name("a variable name in let(x := value, body)");
    expect_op(":=", "':=' after the variable of let(x := value, body)");
    PExpr value = expr();
    if (value.e.dtype().is_void()) fail_msg(name, "found a let of a void value; expected a value");
    expect_op(",", "',' and the body of let(x := value, body)");
    open_scope();
    Var var(name.text, value.e.dtype());
    define(name, Binding{var, {}, {}, {}});
    PExpr body = expr();
    close_scope();
    expect_op(")", "')' after let(x := value, body)");
    Expr e = build(t, "a value of the variable's type", [&] { return let(var, value.e, body.e); });
    return checked(PExpr{e, std::max(value.depth, body.depth) + 1}, t);
  }
  Intrinsic op;
  if (intrinsic_from_name(n, &op)) {
    if (op == Intrinsic::kGpuBarrier || op == Intrinsic::kWarpShuffleXor ||
        op == Intrinsic::kThreadAllreduce)
      fail_msg(t, "found " + n + ", which only GPU lowering makes; expected a math intrinsic");
    std::vector<PExpr> a = call_args(t, static_cast<size_t>(intrinsic_arity(op)));
    // As call() in ir/op.h: arguments meet at one type; math on integers
    // computes in float32.
    for (size_t i = 1; i < a.size(); ++i) match_types(a[0], a[i], intrinsic_name(op), t);
    DataType t0 = a[0].e.dtype();
    if (t0.is_void()) fail_msg(t, "found a call on a void value; expected numbers");
    DataType result = op == Intrinsic::kIsNan ? DataType::Bool(t0.lanes()) : t0;
    std::vector<Expr> es;
    for (const PExpr& x : a)
      es.push_back(t0.is_float() ? x.e : convert(x.e, DataType::Float(32, t0.lanes()), t));
    if (!t0.is_float() && op != Intrinsic::kIsNan) result = DataType::Float(32, t0.lanes());
    Expr e(std::make_shared<CallNode>(result, op, std::move(es)));
    return checked(PExpr{e, deepest(a) + 2}, t);
  }
  DataType dt;
  if (canonical_dtype(n, &dt)) return typed_constant(t, dt);
  fail_msg(t, "found unknown function '" + n.substr(0, 40) +
                  "'; expected min, max, select, cast, ramp, broadcast, let, an intrinsic "
                  "(exp, log, sqrt, ...) or a type for a constant (int64(5))");
}

}  // namespace kiln::ir::script
