#include "ir/interpreter/describe.h"

#include <sstream>

#include "ir/buffer.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::ir::interp {

namespace {

std::string describe_indices(const std::vector<Expr>& indices) {
  std::string out;
  for (size_t i = 0; i < indices.size(); ++i) {
    if (i) out += ", ";
    out += describe_expr(indices[i]);
  }
  return out;
}

// Parenthesises operands that are themselves infix operations, which keeps
// the text unambiguous without a precedence table.
std::string operand(const Expr& e) {
  const auto* b = e.as<BinaryNode>();
  bool infix = b && b->kind != ExprKind::kMin && b->kind != ExprKind::kMax;
  return infix ? "(" + describe_expr(e) + ")" : describe_expr(e);
}

// Used when the script printer cannot print an expression (it should always
// can; an error message must not fail on a printer bug).
std::string fallback_expr(const Expr& e) {
  if (!e.defined()) return "<undefined>";
  switch (e.kind()) {
    case ExprKind::kIntImm: {
      int64_t v = e.as<IntImmNode>()->value;
      if (e.dtype().is_bool()) return v ? "True" : "False";
      return std::to_string(v);
    }
    case ExprKind::kFloatImm: {
      std::ostringstream os;
      os.precision(9);
      os << e.as<FloatImmNode>()->value;
      std::string text = os.str();
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      return text;
    }
    case ExprKind::kVar: return e.as<VarNode>()->name;
    case ExprKind::kNot: return "not " + operand(e.as<NotNode>()->a);
    case ExprKind::kSelect: {
      const auto* s = e.as<SelectNode>();
      return "select(" + describe_expr(s->condition) + ", " + describe_expr(s->true_value) + ", " +
             describe_expr(s->false_value) + ")";
    }
    case ExprKind::kCast: {
      const auto* c = e.as<CastNode>();
      return "cast(" + describe_expr(c->value) + ", \"" + c->dtype.str() + "\")";
    }
    case ExprKind::kBufferLoad: {
      const auto* l = e.as<BufferLoadNode>();
      return l->buffer->name + "[" + describe_indices(l->indices) + "]";
    }
    case ExprKind::kCall: {
      const auto* c = e.as<CallNode>();
      return std::string(intrinsic_name(c->op)) + "(" + describe_indices(c->args) + ")";
    }
    case ExprKind::kRamp: {
      const auto* r = e.as<RampNode>();
      return "ramp(" + describe_expr(r->base) + ", " + describe_expr(r->stride) + ", " +
             std::to_string(r->lanes) + ")";
    }
    case ExprKind::kBroadcast: {
      const auto* b = e.as<BroadcastNode>();
      return "broadcast(" + describe_expr(b->value) + ", " + std::to_string(b->lanes) + ")";
    }
    case ExprKind::kLet: {
      const auto* l = e.as<LetNode>();
      return "let(" + l->var->name + " = " + describe_expr(l->value) + ", " +
             describe_expr(l->body) + ")";
    }
    default: break;
  }
  const auto* b = e.as<BinaryNode>();
  if (b->kind == ExprKind::kMin || b->kind == ExprKind::kMax) {
    return std::string(binary_op_name(b->kind)) + "(" + describe_expr(b->a) + ", " +
           describe_expr(b->b) + ")";
  }
  return operand(b->a) + " " + binary_op_name(b->kind) + " " + operand(b->b);
}

// One statement through the printer, on one line.
std::string printed_stmt(const Stmt& s) {
  try {
    std::string text = to_script(s);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.find('\n') == std::string::npos) return text;
  } catch (const std::exception&) {
  }
  return "";
}

}  // namespace

std::string describe_expr(const Expr& e) {
  if (!e.defined()) return "<undefined>";
  try {
    return to_script(e);
  } catch (const std::exception&) {
    return fallback_expr(e);
  }
}

std::string describe_stmt(const Stmt& s) {
  if (!s.defined()) return "<undefined>";
  if (s.kind() == StmtKind::kBufferStore || s.kind() == StmtKind::kEvaluate) {
    std::string text = printed_stmt(s);
    if (!text.empty()) return text;
  }
  switch (s.kind()) {
    case StmtKind::kBufferStore: {
      const auto* st = s.as<BufferStoreNode>();
      return st->buffer->name + "[" + describe_indices(st->indices) +
             "] = " + describe_expr(st->value);
    }
    case StmtKind::kFor: {
      const auto* f = s.as<ForNode>();
      std::string text = "for " + f->loop_var->name + " in range(" + describe_expr(f->min) + ", " +
                         describe_expr(f->min + f->extent) + ")";
      if (f->for_kind != ForKind::kSerial)
        text += std::string(" (") + for_kind_name(f->for_kind) + ")";
      return text;
    }
    case StmtKind::kBlock: return "block \"" + s.as<BlockNode>()->name + "\"";
    case StmtKind::kBlockRealize: {
      const auto* r = s.as<BlockRealizeNode>();
      std::string text = "block \"" + r->block->name + "\"";
      for (size_t i = 0; i < r->iter_values.size() && i < r->block->iter_vars.size(); ++i) {
        text += i ? ", " : " with ";
        text += r->block->iter_vars[i].var->name + " = " + describe_expr(r->iter_values[i]);
      }
      return text;
    }
    case StmtKind::kSeq: return "a sequence of statements";
    case StmtKind::kIfThenElse: return "if " + describe_expr(s.as<IfThenElseNode>()->condition);
    case StmtKind::kEvaluate: return "evaluate(" + describe_expr(s.as<EvaluateNode>()->value) + ")";
    case StmtKind::kLetStmt: {
      const auto* l = s.as<LetStmtNode>();
      return l->var->name + " = " + describe_expr(l->value);
    }
    case StmtKind::kAllocate: {
      const auto* a = s.as<AllocateNode>();
      return "allocate " + a->buffer->name + "[" + describe_indices(a->buffer->shape) + "] (" +
             a->buffer->dtype.str() + ", " + a->buffer->scope + ")";
    }
  }
  return "<statement>";
}

}  // namespace kiln::ir::interp
