// Rewrites index expressions into IterSum form (internal to ir/arith; see
// iter_map.h for the forms). One rewriter serves one detect_iter_map call:
// it owns the marks, so that the same fusion met twice (in a predicate and in
// an index, or in floordiv and floormod of one sum) is one mark.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/arith/iter_map.h"

namespace kiln::ir::arith {

class IterMapRewriter {
 public:
  explicit IterMapRewriter(const VarRangeMap& dom);

  // Each returns false / nullopt on failure, with the reason in error().
  bool valid() const { return error_.empty(); }
  std::optional<IterSum> rewrite(const Expr& index);
  // Applies a conjunction of upper bounds on fused iterators.
  bool apply_predicate(const Expr& predicate);
  // The splits of `sum` (base ignored) as one split, read through every
  // fusion (iter_map_lift.cc) and fusing when needed.
  std::optional<IterSplit> fuse(const IterSum& sum);

  const std::string& error() const { return error_; }
  // Loop variables with extent > 1 and their marks.
  const std::vector<std::pair<Var, IterMark>>& loop_marks() const { return loop_marks_; }
  // Marks whose extent a predicate reduced.
  const std::vector<IterMark>& bounded_marks() const { return bounded_marks_; }

 private:
  std::optional<IterSum> fail(std::string why);
  std::optional<IterSum> rewrite_binary(const BinaryNode* op);
  std::optional<IterSum> rewrite_div_mod(ExprKind kind, const IterSum& a, int64_t c);
  // floordiv/floormod of one piece by c (> 0); nullopt with the reason in
  // *why when the result is not a piece.
  static std::optional<IterSum> divide_piece(bool is_div, IterSplit s, int64_t c, std::string* why);
  size_t count_var_uses(const Expr& e) const;
  static void collect_conjuncts(const Expr& predicate, std::vector<Expr>* out);
  // `cond` as `sum < 0` (the sum's base holds the limit).
  std::optional<IterSum> upper_bound_form(const Expr& cond);
  bool apply_upper_bound(const IterSum& sum, const Expr& cond);
  // A piece of an iterator that is a part of a fusion, as a piece of that
  // fusion: with `o*12 + i < 16`, `floordiv(i, 2)` is
  // `floormod(floordiv(o*12 + i, 2), 6)`. Indices are read through every
  // fusion they can be: a bounded fusion knows which values the predicate
  // leaves, and each part of an iterator must be counted in one place.
  std::optional<IterSplit> lift_piece(const IterSplit& piece, const IterMark& fusion) const;
  // `pieces` read through the first `levels` marks (in creation order).
  std::vector<IterSplit> read_through_fusions(std::vector<IterSplit> pieces, size_t levels) const;
  // Cuts pieces of a part's source at the part's digit boundaries, where the
  // cut is exact.
  static void cut_at_part_boundaries(std::vector<IterSplit>* args, const IterMarkNode& fusion);
  // Sorts by scale and merges consecutive pieces of one mark.
  static void merge_consecutive(std::vector<IterSplit>* args);
  std::shared_ptr<IterMarkNode> mutable_mark(const IterMark& mark);

  std::unordered_map<Var, IterMark, VarHash> var_marks_;
  std::unordered_map<Var, int64_t, VarHash> unit_vars_;  // extent-1 loops: their value
  std::vector<std::pair<Var, IterMark>> loop_marks_;
  std::vector<std::shared_ptr<IterMarkNode>> marks_;  // every mark, to bound by predicates
  std::vector<IterMark> bounded_marks_;
  std::string error_;
};

}  // namespace kiln::ir::arith
