#include "ir/expr.h"

#include <stdexcept>

#include "ir/op.h"

namespace kiln::ir {

Expr::Expr(int value) : Expr(int_imm(DataType::Int(32), value)) {}
Expr::Expr(int64_t value) : Expr(int_imm(DataType::Int(64), value)) {}
Expr::Expr(float value) : Expr(float_imm(DataType::Float(32), value)) {}
Expr::Expr(double value) : Expr(float_imm(DataType::Float(32), value)) {}

Var::Var(std::string name, DataType dtype)
    : Expr(std::make_shared<VarNode>(std::move(name), dtype)) {}

Var Var::from_expr(const Expr& e) {
  if (!e.as<VarNode>()) throw std::logic_error("Var::from_expr: expression is not a variable");
  Var v;
  static_cast<Expr&>(v) = e;
  return v;
}

const char* binary_op_name(ExprKind kind) {
  switch (kind) {
    case ExprKind::kAdd: return "+";
    case ExprKind::kSub: return "-";
    case ExprKind::kMul: return "*";
    case ExprKind::kDiv: return "/";
    case ExprKind::kFloorDiv: return "//";
    case ExprKind::kFloorMod: return "%";
    case ExprKind::kMin: return "min";
    case ExprKind::kMax: return "max";
    case ExprKind::kEQ: return "==";
    case ExprKind::kNE: return "!=";
    case ExprKind::kLT: return "<";
    case ExprKind::kLE: return "<=";
    case ExprKind::kGT: return ">";
    case ExprKind::kGE: return ">=";
    case ExprKind::kAnd: return "and";
    case ExprKind::kOr: return "or";
    default: return "?";
  }
}

namespace {
struct IntrinsicInfo {
  const char* name;
  int arity;
};
constexpr IntrinsicInfo kIntrinsics[] = {
    {"exp", 1},   {"log", 1},     {"sqrt", 1},        {"rsqrt", 1},
    {"tanh", 1},  {"sigmoid", 1}, {"erf", 1},         {"fabs", 1},
    {"floor", 1}, {"ceil", 1},    {"round", 1},       {"pow", 2},
    {"fma", 3},   {"isnan", 1},   {"gpu_barrier", 0}, {"warp_shuffle_xor", 2},
    {"thread_allreduce", 3},
};
static_assert(sizeof(kIntrinsics) / sizeof(kIntrinsics[0]) ==
              static_cast<size_t>(Intrinsic::kCount));
}  // namespace

const char* intrinsic_name(Intrinsic op) { return kIntrinsics[static_cast<int>(op)].name; }
int intrinsic_arity(Intrinsic op) { return kIntrinsics[static_cast<int>(op)].arity; }

bool intrinsic_from_name(const std::string& name, Intrinsic* out) {
  for (int i = 0; i < static_cast<int>(Intrinsic::kCount); ++i) {
    if (name == kIntrinsics[i].name) {
      *out = static_cast<Intrinsic>(i);
      return true;
    }
  }
  return false;
}

}  // namespace kiln::ir
