// The normal form that iter_map_simplify writes: a split of a fused iterator
// is pushed down into the parts of the fusion where the digits line up, so
// `floordiv(f0*4 + f1, 16)` (f1 in [0, 4)) reads `floordiv(f0, 4)` and
// `floormod(f0*4 + f1, 16)` reads `floormod(f0, 4)*4 + f1`. Where they do not
// line up the split stays a floordiv/floormod of the fused sum, which keeps
// the form recognisable by detect_iter_map (the general simplifier might pull
// terms out of the floordiv and lose that).
#include "ir/arith/iter_map_normalize.h"

#include <limits>
#include <optional>

#include "ir/arith/linear_form.h"
#include "ir/op.h"

namespace kiln::ir::arith {

namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

Expr piece_expr(const IterSplit& split, DataType t);

Expr mark_expr(const IterMark& mark, DataType t) {
  if (mark->var.defined()) return iter_mark_to_expr(mark, t);
  return normalize_iter_sum(mark->fused, t);
}

// The digits [lo, hi) of a fused mark, as a sum of pieces of its parts, or
// nullopt when a boundary cuts a part unevenly. Parts are stored with the
// largest scale first; each part p holds the digits [scale, scale*extent).
std::optional<LinearForm> push_down(const IterMark& mark, int64_t lo, int64_t hi, DataType t) {
  LinearForm sum;
  const std::vector<IterSplit>& parts = mark->fused.args;
  for (size_t index = 0; index < parts.size(); ++index) {
    const IterSplit& p = parts[index];
    bool top = index == 0;
    int64_t p_lo = p.scale, p_hi = top ? kNoLimit : p.scale * p.extent;
    int64_t a = std::max(lo, p_lo), b = std::min(hi, p_hi);
    if (a >= b) continue;
    // Cut the part at a (and at b when b is inside it): k_lo and k_hi must
    // divide the part's extent, unless the cut is above its top.
    if (a % p.scale != 0) return std::nullopt;
    int64_t k_lo = a / p.scale;
    if (!top && p.extent % k_lo != 0) return std::nullopt;
    int64_t count;  // values of the piece of p
    if (b == p_hi) {
      count = (p.extent + k_lo - 1) / k_lo;
    } else {
      if (b % p.scale != 0) return std::nullopt;
      int64_t k_hi = b / p.scale;
      if ((!top && p.extent % k_hi != 0) || k_hi % k_lo != 0) return std::nullopt;
      count = k_hi / k_lo;
    }
    // A piece of a piece of p.source: the cut must also line up with p.
    const IterMark& source = p.source;
    bool p_on_top = p.lower_factor * p.extent >= source->extent;
    if (!p_on_top && (p.extent % (k_lo * count) != 0)) return std::nullopt;
    IterSplit piece{source, p.lower_factor * k_lo, count, 1};
    sum.add(LinearForm::from_expr(piece_expr(piece, t)), a / lo);
  }
  return sum;
}

Expr piece_expr(const IterSplit& split, DataType t) {
  const IterMark& mark = split.source;
  bool on_top = split.lower_factor * split.extent >= mark->extent;
  if (!mark->var.defined()) {
    int64_t hi = on_top ? kNoLimit : split.lower_factor * split.extent;
    if (std::optional<LinearForm> sum = push_down(mark, split.lower_factor, hi, t)) {
      sum->scale(split.scale);
      return sum->to_expr(t);
    }
  }
  Expr e = mark_expr(mark, t);
  if (split.lower_factor != 1) e = floordiv(e, int_imm(t, split.lower_factor));
  if (!on_top) e = floormod(e, int_imm(t, split.extent));
  LinearForm form = LinearForm::from_expr(e);
  form.scale(split.scale);
  return form.to_expr(t);
}

}  // namespace

Expr normalize_iter_sum(const IterSum& sum, DataType t) {
  LinearForm form(sum.base);
  for (const IterSplit& s : sum.args) form.add(LinearForm::from_expr(piece_expr(s, t)));
  return form.to_expr(t);
}

}  // namespace kiln::ir::arith
