#include "ir/arith/iter_map_rewriter.h"

#include <algorithm>

#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::ir::arith {

namespace {

std::string quote(const Expr& e) { return "`" + to_script(e) + "`"; }

bool same_split_source(const IterSplit& a, const IterSplit& b) {
  return a.source == b.source && a.lower_factor == b.lower_factor && a.extent == b.extent;
}

// a + b*scale, merging splits of the same piece of the same mark.
IterSum add_sums(IterSum a, const IterSum& b, int64_t scale) {
  for (IterSplit s : b.args) {
    s.scale *= scale;
    auto it = std::find_if(a.args.begin(), a.args.end(),
                           [&](const IterSplit& x) { return same_split_source(x, s); });
    if (it == a.args.end()) {
      if (s.scale != 0) a.args.push_back(s);
    } else {
      it->scale += s.scale;
      if (it->scale == 0) a.args.erase(it);
    }
  }
  a.base += b.base * scale;
  return a;
}

bool same_fusion(const IterSum& a, const std::vector<IterSplit>& b) {
  if (a.args.size() != b.size()) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!same_split_source(a.args[i], b[i]) || a.args[i].scale != b[i].scale) return false;
  }
  return true;
}

}  // namespace

IterMapRewriter::IterMapRewriter(const VarRangeMap& dom) {
  std::vector<Var> vars;
  for (const auto& [var, range] : dom) vars.push_back(var);
  // Deterministic messages: visit loops by name.
  std::sort(vars.begin(), vars.end(),
            [](const Var& a, const Var& b) { return a.name() < b.name(); });
  for (const Var& var : vars) {
    const Range& range = dom.at(var);
    Expr min = simplify(range.min), extent = simplify(range.extent);
    const int64_t *m = as_const_int(min), *e = as_const_int(extent);
    if (!m || !e || *e <= 0) {
      error_ = "the range of loop `" + var.name() + "` (min " + to_script(min) + ", extent " +
               to_script(extent) + ") is not a constant, non-empty range";
      return;
    }
    if (*e == 1) {
      unit_vars_[var] = *m;
      continue;
    }
    auto mark = std::make_shared<IterMarkNode>();
    mark->var = var;
    mark->var_min = *m;
    mark->extent = *e;
    marks_.push_back(mark);
    var_marks_[var] = mark;
    loop_marks_.emplace_back(var, mark);
  }
}

std::optional<IterSum> IterMapRewriter::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return std::nullopt;
}

std::shared_ptr<IterMarkNode> IterMapRewriter::mutable_mark(const IterMark& mark) {
  for (const auto& m : marks_) {
    if (m == mark) return m;
  }
  return nullptr;
}

std::optional<IterSum> IterMapRewriter::rewrite(const Expr& e) {
  if (!valid()) return std::nullopt;
  if (!e.dtype().is_int() || !e.dtype().is_scalar()) {
    return fail(quote(e) + " is not a scalar integer expression");
  }
  if (const int64_t* v = as_const_int(e)) return IterSum{{}, *v};
  if (e.as<VarNode>()) {
    Var var = Var::from_expr(e);
    if (auto unit = unit_vars_.find(var); unit != unit_vars_.end())
      return IterSum{{}, unit->second};
    auto it = var_marks_.find(var);
    if (it == var_marks_.end()) {
      return fail(quote(e) + " is not one of the loop variables the map is over");
    }
    return IterSum{{IterSplit{it->second, 1, it->second->extent, 1}}, it->second->var_min};
  }
  if (const auto* op = e.as<BinaryNode>()) return rewrite_binary(op);
  return fail(quote(e) + " is not an affine function of the loop variables");
}

std::optional<IterSum> IterMapRewriter::rewrite_binary(const BinaryNode* op) {
  auto a = rewrite(op->a);
  if (!a) return std::nullopt;
  auto b = rewrite(op->b);
  if (!b) return std::nullopt;
  switch (op->kind) {
    case ExprKind::kAdd: return add_sums(*a, *b, 1);
    case ExprKind::kSub: return add_sums(*a, *b, -1);
    case ExprKind::kMul:
      if (!a->args.empty() && !b->args.empty()) {
        return fail(quote(op->a) + " * " + quote(op->b) + " multiplies two loop-dependent terms");
      }
      if (a->args.empty()) std::swap(a, b);
      return add_sums(IterSum{}, *a, b->base);
    case ExprKind::kFloorDiv:
    case ExprKind::kFloorMod:
      if (!b->args.empty() || b->base <= 0) {
        return fail("the divisor " + quote(op->b) + " is not a positive constant");
      }
      return rewrite_div_mod(op->kind, *a, b->base);
    default: {
      Expr e = binary(op->kind, op->a, op->b);
      return fail(quote(e) + " is not an affine function of the loop variables");
    }
  }
}

std::optional<IterSum> IterMapRewriter::rewrite_div_mod(ExprKind kind, const IterSum& a,
                                                        int64_t c) {
  bool is_div = kind == ExprKind::kFloorDiv;
  if (a.args.empty()) {
    int64_t q = a.base / c - ((a.base % c != 0) && (a.base < 0) ? 1 : 0);
    return IterSum{{}, is_div ? q : a.base - q * c};
  }
  if (a.base % c != 0) {
    return fail(std::string(is_div ? "floordiv" : "floormod") + " by " + std::to_string(c) +
                " of a sum whose constant " + std::to_string(a.base) +
                " is not a multiple of it mixes iterator values");
  }
  // Read the operand through as few fusions as make it one piece that
  // divides evenly: a fusion may give the piece an extent that divides, or
  // put it on top, while reading through an outer one would cut it unevenly.
  std::string why;
  bool positive =
      std::all_of(a.args.begin(), a.args.end(), [](const IterSplit& s) { return s.scale > 0; });
  for (size_t levels = 0; positive && levels <= marks_.size(); ++levels) {
    std::vector<IterSplit> pieces = read_through_fusions(a.args, levels);
    if (pieces.size() != 1) continue;
    if (std::optional<IterSum> result = divide_piece(is_div, pieces[0], c, &why)) {
      if (is_div) result->base += a.base / c;
      return result;
    }
  }
  // Otherwise the operand is a new fusion.
  std::optional<IterSplit> fused = fuse(a);
  if (!fused) return std::nullopt;
  if (std::optional<IterSum> result = divide_piece(is_div, *fused, c, &why)) {
    if (is_div) result->base += a.base / c;
    return result;
  }
  return fail(why);
}

std::optional<IterSum> IterMapRewriter::divide_piece(bool is_div, IterSplit s, int64_t c,
                                                     std::string* why) {
  const std::string name = is_div ? "floordiv" : "floormod";
  if (s.scale % c == 0) {
    if (!is_div) return IterSum{{}, 0};
    s.scale /= c;
    return IterSum{{s}, 0};
  }
  if (c % s.scale != 0) {
    *why = name + " by " + std::to_string(c) + " of an iterator scaled by " +
           std::to_string(s.scale) + " cuts across its values";
    return std::nullopt;
  }
  int64_t inner = c / s.scale;  // the division in units of the piece
  if (s.extent <= inner) {
    // The piece's values stay below the divisor.
    return is_div ? IterSum{{}, 0} : IterSum{{s}, 0};
  }
  // The top piece of a mark (nothing above it) may be cut unevenly: its last
  // value is simply not reached. Any other piece must divide exactly.
  bool top = s.lower_factor * s.extent >= s.source->extent;
  if (s.extent % inner != 0 && !top) {
    *why = name + " by " + std::to_string(c) + " of an iterator with " + std::to_string(s.extent) +
           " values, which " + std::to_string(inner) + " does not divide";
    return std::nullopt;
  }
  if (!is_div) return IterSum{{IterSplit{s.source, s.lower_factor, inner, s.scale}}, 0};
  int64_t extent = (s.extent + inner - 1) / inner;
  return IterSum{{IterSplit{s.source, s.lower_factor * inner, extent, 1}}, 0};
}

std::optional<IterSplit> IterMapRewriter::fuse(const IterSum& sum) {
  std::vector<IterSplit> args = sum.args;
  for (const IterSplit& s : args) {
    if (s.scale <= 0) {
      fail("an iterator has the non-positive scale " + std::to_string(s.scale));
      return std::nullopt;
    }
  }
  args = read_through_fusions(args, marks_.size());
  if (args.empty()) {
    fail("the predicate leaves the iterators of this sum a single value");
    return std::nullopt;
  }
  if (args.size() == 1) return args[0];
  // A mixed-radix number: each scale is the product of the extents below it.
  int64_t expected = args.front().scale;
  for (const IterSplit& s : args) {
    if (s.scale != expected) {
      fail("iterators are combined with scales that " +
           std::string(s.scale < expected ? "overlap" : "leave gaps") + " (an iterator of scale " +
           std::to_string(s.scale) + " where " + std::to_string(expected) +
           " was needed), so different loop iterations reach the same index or skip some");
      return std::nullopt;
    }
    expected *= s.extent;
  }
  int64_t unit = args.front().scale;
  int64_t extent = expected / unit;
  std::reverse(args.begin(), args.end());
  for (IterSplit& s : args) s.scale /= unit;
  for (const auto& mark : marks_) {
    if (!mark->var.defined() && same_fusion(mark->fused, args)) {
      return IterSplit{mark, 1, mark->extent, unit};
    }
  }
  auto mark = std::make_shared<IterMarkNode>();
  mark->fused = IterSum{args, 0};
  mark->extent = extent;
  marks_.push_back(mark);
  return IterSplit{mark, 1, extent, unit};
}

bool IterMapRewriter::apply_predicate(const Expr& predicate) {
  // Inner bounds first, so that an outer bound such as `o*8 + (i*4 + j) < 100`
  // sees the inner fusion `i*4 + j < 7` as one iterator (see lift_piece). The
  // outer bound contains the inner one's sum plus its own loop, hence more
  // uses of loop variables.
  std::vector<Expr> conjuncts;
  collect_conjuncts(predicate, &conjuncts);
  std::vector<std::pair<size_t, Expr>> ordered;
  for (const Expr& cond : conjuncts) ordered.emplace_back(count_var_uses(cond), cond);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  // Counting is a heuristic (an unsimplified inner bound may repeat its
  // loops), so a bound that fails is retried after the others.
  std::vector<Expr> pending;
  for (const auto& entry : ordered) pending.push_back(entry.second);
  while (!pending.empty()) {
    std::vector<Expr> failed;
    std::string first_error;
    for (const Expr& cond : pending) {
      std::optional<IterSum> sum = upper_bound_form(cond);
      if (sum && apply_upper_bound(*sum, cond)) continue;
      if (first_error.empty()) first_error = error_;
      error_.clear();
      failed.push_back(cond);
    }
    if (failed.size() == pending.size()) {
      error_ = first_error;
      return false;
    }
    pending = std::move(failed);
  }
  return true;
}

size_t IterMapRewriter::count_var_uses(const Expr& e) const {
  struct Counter : IRVisitor {
    size_t uses = 0;
    void visit_var(const VarNode*) override { ++uses; }
  } counter;
  counter.visit(e);
  return counter.uses;
}

void IterMapRewriter::collect_conjuncts(const Expr& predicate, std::vector<Expr>* out) {
  if (!predicate.defined() || is_const_int(predicate, 1)) return;
  if (const auto* op = predicate.as<BinaryNode>(); op && op->kind == ExprKind::kAnd) {
    collect_conjuncts(op->a, out);
    collect_conjuncts(op->b, out);
    return;
  }
  out->push_back(predicate);
}

std::optional<IterSum> IterMapRewriter::upper_bound_form(const Expr& cond) {
  const auto* op = cond.as<BinaryNode>();
  bool supported = op && (op->kind == ExprKind::kLT || op->kind == ExprKind::kLE ||
                          op->kind == ExprKind::kGT || op->kind == ExprKind::kGE);
  if (!supported || !op->a.dtype().is_int()) {
    return fail("the predicate " + quote(cond) +
                " is not a comparison; predicates must bound fused iterators from above");
  }
  // `sum + base < 0`, with `a <= b` as `a - b - 1 < 0`.
  bool less = op->kind == ExprKind::kLT || op->kind == ExprKind::kLE;
  std::optional<IterSum> sum = rewrite(less ? op->a - op->b : op->b - op->a);
  if (sum && (op->kind == ExprKind::kLE || op->kind == ExprKind::kGE)) sum->base -= 1;
  return sum;
}

bool IterMapRewriter::apply_upper_bound(const IterSum& sum, const Expr& cond) {
  int64_t limit = -sum.base;  // sum.args < limit
  if (sum.args.empty()) {
    if (limit > 0) return true;
    fail("the predicate " + quote(cond) + " is always false");
    return false;
  }
  auto split = fuse(sum);
  if (!split) return false;
  if (split->lower_factor * split->extent < split->source->extent) {
    // A bound on a lower piece (a fused loop whose inner part was split
    // unevenly) leaves holes in the iterator's values: the piece becomes an
    // iterator of its own, a fusion of one part, and indices that use the
    // piece are read through it (lift_piece).
    auto piece = std::make_shared<IterMarkNode>();
    piece->fused = IterSum{{IterSplit{split->source, split->lower_factor, split->extent, 1}}, 0};
    piece->extent = split->extent;
    marks_.push_back(piece);
    split = IterSplit{piece, 1, piece->extent, split->scale};
  }
  // A bound on the top piece bounds the iterator: floordiv(x, f) < b <=> x < b*f.
  std::shared_ptr<IterMarkNode> mark = mutable_mark(split->source);
  // split*scale < limit  <=>  split < ceil(limit / scale).
  int64_t bound = limit <= 0 ? 0 : (limit + split->scale - 1) / split->scale;
  if (bound <= 0) {
    fail("the predicate " + quote(cond) + " is always false");
    return false;
  }
  int64_t extent = bound * split->lower_factor;
  if (extent >= mark->extent) return true;
  // A fusion records the extents of its parts when it is made; a part that
  // reaches above the new extent would become stale.
  for (const auto& other : marks_) {
    for (const IterSplit& part : other->fused.args) {
      if (part.source == mark && part.lower_factor * part.extent > extent) {
        fail("the predicate " + quote(cond) +
             " bounds an iterator that an earlier predicate already fused with others; "
             "bound the inner iterators first");
        return false;
      }
    }
  }
  mark->extent = extent;
  if (std::find(bounded_marks_.begin(), bounded_marks_.end(), mark) == bounded_marks_.end()) {
    bounded_marks_.push_back(mark);
  }
  return true;
}

}  // namespace kiln::ir::arith
