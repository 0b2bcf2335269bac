#include "ir/dsl/access_region.h"

#include <algorithm>
#include <map>

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::te {

using ir::Expr;
using ir::ExprKind;

namespace {

// sum(coefficient * var) + constant, with vars ordered by identity.
struct LinearForm {
  std::map<const ir::VarNode*, int64_t> coefficients;
  int64_t constant = 0;
};

// Returns false when `e` is not affine in its variables with constant
// coefficients (a division, a load in an index, ...).
bool linear_form(const Expr& e, int64_t scale, LinearForm* out) {
  if (const int64_t* v = ir::as_const_int(e)) {
    out->constant += scale * *v;
    return true;
  }
  if (const auto* var = e.as<ir::VarNode>()) {
    if ((out->coefficients[var] += scale) == 0) out->coefficients.erase(var);
    return true;
  }
  const auto* bin = e.as<ir::BinaryNode>();
  if (!bin) return false;
  switch (e.kind()) {
    case ExprKind::kAdd: return linear_form(bin->a, scale, out) && linear_form(bin->b, scale, out);
    case ExprKind::kSub: return linear_form(bin->a, scale, out) && linear_form(bin->b, -scale, out);
    case ExprKind::kMul:
      if (const int64_t* c = ir::as_const_int(bin->b)) return linear_form(bin->a, scale * *c, out);
      if (const int64_t* c = ir::as_const_int(bin->a)) return linear_form(bin->b, scale * *c, out);
      return false;
    default: return false;
  }
}

// Identity-exact equality (same variables, not merely matching ones).
bool same_expr(const Expr& a, const Expr& b) {
  if (a.same_as(b)) return true;
  if (!a.defined() || !b.defined() || a.kind() != b.kind() || a.dtype() != b.dtype()) return false;
  switch (a.kind()) {
    case ExprKind::kIntImm: return a.as<ir::IntImmNode>()->value == b.as<ir::IntImmNode>()->value;
    case ExprKind::kFloatImm:
      return a.as<ir::FloatImmNode>()->value == b.as<ir::FloatImmNode>()->value;
    case ExprKind::kVar: return false;  // distinct nodes are distinct variables
    case ExprKind::kNot: return same_expr(a.as<ir::NotNode>()->a, b.as<ir::NotNode>()->a);
    case ExprKind::kCast:
      return same_expr(a.as<ir::CastNode>()->value, b.as<ir::CastNode>()->value);
    case ExprKind::kSelect: {
      const auto *x = a.as<ir::SelectNode>(), *y = b.as<ir::SelectNode>();
      return same_expr(x->condition, y->condition) && same_expr(x->true_value, y->true_value) &&
             same_expr(x->false_value, y->false_value);
    }
    case ExprKind::kBufferLoad: {
      const auto *x = a.as<ir::BufferLoadNode>(), *y = b.as<ir::BufferLoadNode>();
      if (x->buffer != y->buffer || x->indices.size() != y->indices.size()) return false;
      for (size_t i = 0; i < x->indices.size(); ++i)
        if (!same_expr(x->indices[i], y->indices[i])) return false;
      return true;
    }
    case ExprKind::kCall: {
      const auto *x = a.as<ir::CallNode>(), *y = b.as<ir::CallNode>();
      if (x->op != y->op || x->args.size() != y->args.size()) return false;
      for (size_t i = 0; i < x->args.size(); ++i)
        if (!same_expr(x->args[i], y->args[i])) return false;
      return true;
    }
    default:
      if (const auto* x = a.as<ir::BinaryNode>()) {
        const auto* y = b.as<ir::BinaryNode>();
        return same_expr(x->a, y->a) && same_expr(x->b, y->b);
      }
      return false;  // Ramp, Broadcast, Let do not appear in compute indices
  }
}

// The covering range of the index expressions of one dimension.
ir::Range cover(const std::vector<Expr>& indices) {
  // Distinct indices, by identity-exact equality.
  std::vector<Expr> distinct;
  for (const Expr& e : indices) {
    bool seen = false;
    for (const Expr& d : distinct) seen = seen || same_expr(d, e);
    if (!seen) distinct.push_back(e);
  }
  if (distinct.size() == 1) return ir::Range{distinct[0], Expr(1)};

  // All affine with the same variable part: a window [lowest, highest].
  std::vector<LinearForm> forms(distinct.size());
  bool same_part = true;
  for (size_t i = 0; i < distinct.size() && same_part; ++i) {
    same_part =
        linear_form(distinct[i], 1, &forms[i]) && forms[i].coefficients == forms[0].coefficients;
  }
  if (same_part) {
    size_t lowest = 0;
    int64_t highest = forms[0].constant;
    for (size_t i = 1; i < forms.size(); ++i) {
      if (forms[i].constant < forms[lowest].constant) lowest = i;
      highest = std::max(highest, forms[i].constant);
    }
    return ir::Range{distinct[lowest], ir::index_imm(highest - forms[lowest].constant + 1)};
  }

  Expr lo = distinct[0], hi = distinct[0];
  for (size_t i = 1; i < distinct.size(); ++i) {
    lo = ir::min(lo, distinct[i]);
    hi = ir::max(hi, distinct[i]);
  }
  return ir::Range{lo, hi - lo + 1};
}

class LoadCollector : public ir::IRVisitor {
 public:
  // Per buffer (first-load order), per dimension, the indices seen.
  std::vector<std::pair<ir::Buffer, std::vector<std::vector<Expr>>>> loads;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    size_t slot = 0;
    while (slot < loads.size() && loads[slot].first != op->buffer) ++slot;
    if (slot == loads.size()) loads.emplace_back(op->buffer, op->indices.size());
    for (size_t d = 0; d < op->indices.size(); ++d) loads[slot].second[d].push_back(op->indices[d]);
    IRVisitor::visit_buffer_load(op);
  }
};

}  // namespace

std::vector<ir::BufferRegion> access_regions(const Expr& value) {
  LoadCollector collector;
  collector.visit(value);
  std::vector<ir::BufferRegion> regions;
  for (const auto& [buffer, dims] : collector.loads) {
    ir::BufferRegion region{buffer, {}};
    for (const std::vector<Expr>& indices : dims) region.region.push_back(cover(indices));
    regions.push_back(std::move(region));
  }
  return regions;
}

}  // namespace kiln::te
