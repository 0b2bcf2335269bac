#include "ir/parser/syntax.h"

#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "ir/dtype.h"

namespace kiln::ir::script {

namespace {

const std::unordered_set<std::string>& reserved_words() {
  static const std::unordered_set<std::string> words = {
      // Python keywords and constants: the text must read as Python.
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
      "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
      "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
      "while", "with", "yield",
      // Builtins of the script.
      "kiln", "prim_func", "Buffer", "func_attr", "grid", "range", "serial", "parallel",
      "vectorized", "unroll", "thread_binding", "block", "axis", "where", "reads", "writes",
      "block_attr", "alloc_buffer", "init", "allocate", "let", "evaluate", "min", "max", "select",
      "cast", "ramp", "broadcast", "span", "inf", "nan"};
  return words;
}

}  // namespace

bool is_reserved(const std::string& name) {
  if (reserved_words().count(name)) return true;
  DataType t;
  if (DataType::try_parse(name, &t)) return true;
  Intrinsic op;
  return intrinsic_from_name(name, &op);
}

bool is_identifier(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

std::string sanitize_identifier(const std::string& hint, const char* fallback) {
  std::string out;
  out.reserve(hint.size());
  for (char c : hint) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  // All-underscore names carry no hint; digits cannot start a name.
  if (out.find_first_not_of('_') == std::string::npos) return fallback;
  if (out[0] >= '0' && out[0] <= '9') out = std::string(fallback) + "_" + out;
  return out;
}

std::string format_float(double value) {
  if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string quote_string(const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out += "\"";
  return out;
}

namespace {

class SameExpr {
 public:
  bool operator()(const Expr& a, const Expr& b) {
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    if (a.kind() != b.kind() || a.dtype() != b.dtype()) return false;
    switch (a.kind()) {
      case ExprKind::kIntImm: return a.as<IntImmNode>()->value == b.as<IntImmNode>()->value;
      case ExprKind::kFloatImm: {
        double x = a.as<FloatImmNode>()->value, y = b.as<FloatImmNode>()->value;
        return x == y || (std::isnan(x) && std::isnan(y));
      }
      case ExprKind::kVar: return var(a.get(), b.get());
      case ExprKind::kNot: return (*this)(a.as<NotNode>()->a, b.as<NotNode>()->a);
      case ExprKind::kSelect: {
        auto *x = a.as<SelectNode>(), *y = b.as<SelectNode>();
        return (*this)(x->condition, y->condition) && (*this)(x->true_value, y->true_value) &&
               (*this)(x->false_value, y->false_value);
      }
      case ExprKind::kCast: return (*this)(a.as<CastNode>()->value, b.as<CastNode>()->value);
      case ExprKind::kBufferLoad: {
        auto *x = a.as<BufferLoadNode>(), *y = b.as<BufferLoadNode>();
        return x->buffer == y->buffer && all(x->indices, y->indices);
      }
      case ExprKind::kCall: {
        auto *x = a.as<CallNode>(), *y = b.as<CallNode>();
        return x->op == y->op && all(x->args, y->args);
      }
      case ExprKind::kRamp: {
        auto *x = a.as<RampNode>(), *y = b.as<RampNode>();
        return x->lanes == y->lanes && (*this)(x->base, y->base) && (*this)(x->stride, y->stride);
      }
      case ExprKind::kBroadcast: {
        auto *x = a.as<BroadcastNode>(), *y = b.as<BroadcastNode>();
        return x->lanes == y->lanes && (*this)(x->value, y->value);
      }
      case ExprKind::kLet: {
        auto *x = a.as<LetNode>(), *y = b.as<LetNode>();
        if (x->var.dtype() != y->var.dtype() || !(*this)(x->value, y->value)) return false;
        let_pairs_.emplace_back(x->var.get(), y->var.get());
        bool same = (*this)(x->body, y->body);
        let_pairs_.pop_back();
        return same;
      }
      default: {
        auto *x = a.as<BinaryNode>(), *y = b.as<BinaryNode>();
        return (*this)(x->a, y->a) && (*this)(x->b, y->b);
      }
    }
  }

 private:
  bool var(const void* a, const void* b) {
    for (auto it = let_pairs_.rbegin(); it != let_pairs_.rend(); ++it) {
      if (it->first == a || it->second == b) return it->first == a && it->second == b;
    }
    return a == b;
  }
  bool all(const std::vector<Expr>& a, const std::vector<Expr>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!(*this)(a[i], b[i])) return false;
    return true;
  }
  std::vector<std::pair<const void*, const void*>> let_pairs_;
};

}  // namespace

bool same_expr(const Expr& a, const Expr& b) { return SameExpr()(a, b); }

}  // namespace kiln::ir::script
