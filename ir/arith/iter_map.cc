// detect_iter_map: rewrite every index (iter_map_rewriter.cc), then check
// that the pieces used of every iterator neither overlap nor, for a
// bijection, leave any value out.
#include "ir/arith/iter_map.h"

#include <algorithm>
#include <unordered_map>

#include "ir/arith/iter_map_normalize.h"
#include "ir/arith/iter_map_rewriter.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::ir::arith {

namespace {

std::string mark_name(const IterMark& mark) {
  if (mark->var.defined()) return "loop `" + mark->var.name() + "`";
  return "the fused iterator `" + to_script(iter_mark_to_expr(mark)) + "`";
}

// Checks that the pieces of `mark` in `splits` are disjoint and, for a
// bijection, cover [0, extent). Returns the error, empty when fine.
std::string check_coverage(const IterMark& mark, std::vector<IterSplit> splits,
                           IterMapLevel level) {
  std::stable_sort(splits.begin(), splits.end(), [](const IterSplit& a, const IterSplit& b) {
    return a.lower_factor < b.lower_factor;
  });
  int64_t expected = 1;
  for (const IterSplit& s : splits) {
    if (s.lower_factor < expected) {
      return mark_name(mark) + " is used more than once: two indices depend on the same part of it";
    }
    if (s.lower_factor != expected &&
        (level == IterMapLevel::kBijective || s.lower_factor % expected != 0)) {
      IterSplit gap{mark, expected, s.lower_factor / expected, 1};
      return "the indices never use `" + to_script(iter_split_to_expr(gap)) + "`, a part of " +
             mark_name(mark) + ", so several iterations reach the same indices";
    }
    expected = s.lower_factor * s.extent;
  }
  if (expected > mark->extent) {
    return "the indices cut " + mark_name(mark) + " (" + std::to_string(mark->extent) +
           " values) into pieces that do not divide it, so they do not cover a box";
  }
  if (level == IterMapLevel::kBijective && expected < mark->extent) {
    return "the indices use only " + std::to_string(expected) + " of the " +
           std::to_string(mark->extent) + " values of " + mark_name(mark) +
           ", so several iterations reach the same indices";
  }
  return "";
}

std::string index_error(size_t k, const Expr& index, const std::string& why) {
  return "index " + std::to_string(k) + " (`" + to_script(index) + "`): " + why;
}

IterMapResult failure(std::string error) {
  IterMapResult result;
  result.error = std::move(error);
  return result;
}

}  // namespace

IterMapResult detect_iter_map(const std::vector<Expr>& indices, const VarRangeMap& dom,
                              const Expr& predicate, IterMapLevel level) {
  IterMapRewriter rewriter(dom);
  if (!rewriter.valid()) return failure(rewriter.error());
  if (!rewriter.apply_predicate(predicate)) return failure(rewriter.error());

  // Step 1. Each index as a sum of pieces; then, once every fusion the
  // indices make is known, as at most one piece read through them.
  std::vector<IterSum> sums;
  IterMapResult result;
  for (size_t k = 0; k < indices.size(); ++k) {
    std::optional<IterSum> sum = rewriter.rewrite(indices[k]);
    if (!sum) return failure(index_error(k, indices[k], rewriter.error()));
    sums.push_back(*sum);
  }
  for (size_t k = 0; k < indices.size(); ++k) {
    IterSum sum = sums[k];
    if (!sum.args.empty()) {
      std::optional<IterSplit> fused = rewriter.fuse(sum);
      if (!fused) return failure(index_error(k, indices[k], rewriter.error()));
      sum.args = {*fused};
    }
    result.indices.push_back(sum);
  }

  // Step 2. Collect the pieces used of every iterator, through fusions, in
  // the order they are met (so that messages are deterministic).
  std::vector<IterMark> marks;
  std::unordered_map<const IterMarkNode*, std::vector<IterSplit>> uses;
  auto use = [&](const IterSplit& s) {
    auto [it, inserted] = uses.try_emplace(s.source.get());
    it->second.push_back(s);
    if (inserted) marks.push_back(s.source);
  };
  for (const IterSum& sum : result.indices) {
    for (const IterSplit& s : sum.args) use(s);
  }
  for (size_t k = 0; k < marks.size(); ++k) {
    for (const IterSplit& part : marks[k]->fused.args) use(part);
  }

  // Step 3. No overlap; for a bijection, nothing left out.
  for (const IterMark& mark : marks) {
    std::string error = check_coverage(mark, uses.at(mark.get()), level);
    if (!error.empty()) return failure(error);
  }
  if (level == IterMapLevel::kBijective) {
    for (const auto& [var, mark] : rewriter.loop_marks()) {
      if (!uses.count(mark.get())) {
        return failure("loop `" + var.name() + "` (extent " + std::to_string(mark->extent) +
                       ") is used by no index, so its iterations all reach the same indices");
      }
    }
  }
  for (const IterMark& mark : rewriter.bounded_marks()) {
    if (!uses.count(mark.get())) {
      return failure("the predicate bounds " + mark_name(mark) +
                     ", which no index uses as a whole; the indices do not cover a box");
    }
  }
  result.ok = true;
  return result;
}

Expr iter_mark_to_expr(const IterMark& mark, DataType t) {
  if (mark->var.defined()) {
    Expr v = mark->var.dtype() == t ? Expr(mark->var) : cast(t, mark->var);
    return mark->var_min == 0 ? v : v - int_imm(t, mark->var_min);
  }
  return iter_sum_to_expr(mark->fused, t);
}

Expr iter_split_to_expr(const IterSplit& split, DataType t) {
  Expr e = iter_mark_to_expr(split.source, t);
  if (split.lower_factor != 1) e = floordiv(e, int_imm(t, split.lower_factor));
  // The top piece of a mark needs no floormod: floordiv(x, f) < extent already.
  if (split.lower_factor * split.extent < split.source->extent) {
    e = floormod(e, int_imm(t, split.extent));
  }
  return split.scale == 1 ? e : e * int_imm(t, split.scale);
}

Expr iter_sum_to_expr(const IterSum& sum, DataType t) {
  Expr e;
  for (const IterSplit& s : sum.args) {
    Expr part = iter_split_to_expr(s, t);
    e = e.defined() ? e + part : part;
  }
  if (!e.defined()) return int_imm(t, sum.base);
  return sum.base == 0 ? e : e + int_imm(t, sum.base);
}

std::vector<Expr> iter_map_simplify(const std::vector<Expr>& indices, const VarRangeMap& dom,
                                    const Expr& predicate, IterMapLevel level) {
  IterMapResult detected = detect_iter_map(indices, dom, predicate, level);
  if (!detected.ok) return indices;
  std::vector<Expr> out;
  for (size_t k = 0; k < indices.size(); ++k) {
    out.push_back(normalize_iter_sum(detected.indices[k], indices[k].dtype()));
  }
  return out;
}

}  // namespace kiln::ir::arith
