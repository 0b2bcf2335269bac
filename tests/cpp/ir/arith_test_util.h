// Helpers shared by the arith tests: a tiny integer evaluator (the oracle of
// the differential tests) and enumeration of variable assignments.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/expr.h"

namespace kiln::ir::arith::testing {

using Env = std::unordered_map<const VarNode*, int64_t>;

inline int64_t floordiv_ref(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Wraps `v` to the width of an integer type, as a machine would.
inline int64_t wrap(int64_t v, DataType t) {
  if (t.is_bool()) return v != 0;
  if (t.bits() >= 64) return v;
  uint64_t mask = (uint64_t{1} << t.bits()) - 1;
  uint64_t u = static_cast<uint64_t>(v) & mask;
  if (t.is_int() && (u >> (t.bits() - 1))) u |= ~mask;
  return static_cast<int64_t>(u);
}

// Value of an integer or bool expression; nullopt when it divides by zero.
// Both arms of a select are evaluated (select is not a branch).
inline std::optional<int64_t> eval(const Expr& e, const Env& env) {
  switch (e.kind()) {
    case ExprKind::kIntImm: return e.as<IntImmNode>()->value;
    case ExprKind::kVar: return env.at(e.as<VarNode>());
    case ExprKind::kNot: {
      auto a = eval(e.as<NotNode>()->a, env);
      if (!a) return std::nullopt;
      return *a == 0;
    }
    case ExprKind::kSelect: {
      const auto* op = e.as<SelectNode>();
      auto c = eval(op->condition, env), t = eval(op->true_value, env),
           f = eval(op->false_value, env);
      if (!c || !t || !f) return std::nullopt;
      return *c ? *t : *f;
    }
    case ExprKind::kCast: {
      auto v = eval(e.as<CastNode>()->value, env);
      if (!v) return std::nullopt;
      return wrap(*v, e.dtype());
    }
    case ExprKind::kLet: {
      const auto* op = e.as<LetNode>();
      auto v = eval(op->value, env);
      if (!v) return std::nullopt;
      Env inner = env;
      inner[op->var.get()] = *v;
      return eval(op->body, inner);
    }
    default: break;
  }
  const auto* op = e.as<BinaryNode>();
  if (!op) throw std::logic_error("eval: unsupported expression kind");
  auto a = eval(op->a, env), b = eval(op->b, env);
  if (!a || !b) return std::nullopt;
  int64_t x = *a, y = *b;
  switch (op->kind) {
    case ExprKind::kAdd: return wrap(x + y, e.dtype());
    case ExprKind::kSub: return wrap(x - y, e.dtype());
    case ExprKind::kMul: return wrap(x * y, e.dtype());
    case ExprKind::kDiv:
      if (y == 0) return std::nullopt;
      return x / y;
    case ExprKind::kFloorDiv:
      if (y == 0) return std::nullopt;
      return floordiv_ref(x, y);
    case ExprKind::kFloorMod:
      if (y == 0) return std::nullopt;
      return x - floordiv_ref(x, y) * y;
    case ExprKind::kMin: return std::min(x, y);
    case ExprKind::kMax: return std::max(x, y);
    case ExprKind::kEQ: return x == y;
    case ExprKind::kNE: return x != y;
    case ExprKind::kLT: return x < y;
    case ExprKind::kLE: return x <= y;
    case ExprKind::kGT: return x > y;
    case ExprKind::kGE: return x >= y;
    case ExprKind::kAnd: return x && y;
    case ExprKind::kOr: return x || y;
    default: throw std::logic_error("eval: unsupported binary kind");
  }
}

// A readable form for failure messages (the IR printer is not used here so
// that these tests only depend on ir/arith).
inline std::string show(const Expr& e) {
  switch (e.kind()) {
    case ExprKind::kIntImm:
      if (e.dtype().is_bool()) return e.as<IntImmNode>()->value ? "True" : "False";
      return std::to_string(e.as<IntImmNode>()->value);
    case ExprKind::kVar: return e.as<VarNode>()->name;
    case ExprKind::kNot: return "not(" + show(e.as<NotNode>()->a) + ")";
    case ExprKind::kSelect: {
      const auto* op = e.as<SelectNode>();
      return "select(" + show(op->condition) + ", " + show(op->true_value) + ", " +
             show(op->false_value) + ")";
    }
    case ExprKind::kCast: return e.dtype().str() + "(" + show(e.as<CastNode>()->value) + ")";
    default: break;
  }
  const auto* op = e.as<BinaryNode>();
  if (!op) return "<expr>";
  switch (op->kind) {
    case ExprKind::kFloorDiv: return "floordiv(" + show(op->a) + ", " + show(op->b) + ")";
    case ExprKind::kFloorMod: return "floormod(" + show(op->a) + ", " + show(op->b) + ")";
    case ExprKind::kMin: return "min(" + show(op->a) + ", " + show(op->b) + ")";
    case ExprKind::kMax: return "max(" + show(op->a) + ", " + show(op->b) + ")";
    default: return "(" + show(op->a) + " " + binary_op_name(op->kind) + " " + show(op->b) + ")";
  }
}

struct VarDomain {
  Var var;
  int64_t min;
  int64_t extent;
};

// Calls `fn` with every assignment of the variables within their domains.
inline void for_each_assignment(const std::vector<VarDomain>& vars,
                                const std::function<void(const Env&)>& fn) {
  Env env;
  std::function<void(size_t)> rec = [&](size_t k) {
    if (k == vars.size()) return fn(env);
    for (int64_t v = vars[k].min; v < vars[k].min + vars[k].extent; ++v) {
      env[vars[k].var.get()] = v;
      rec(k + 1);
    }
  };
  rec(0);
}

}  // namespace kiln::ir::arith::testing
