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
  // The splits of `sum` (base ignored) as one split, fusing when needed.
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
  static void collect_conjuncts(const Expr& predicate, std::vector<Expr>* out);
  // `cond` as `sum < 0` (the sum's base holds the limit).
  std::optional<IterSum> upper_bound_form(const Expr& cond);
  bool apply_upper_bound(const IterSum& sum, const Expr& cond);
  // Replaces the parts of a predicate-bounded fusion found in `args` by one
  // split of it.
  std::vector<IterSplit> absorb_bounded_fusions(std::vector<IterSplit> args) const;
  std::shared_ptr<IterMarkNode> mutable_mark(const IterMark& mark);

  std::unordered_map<Var, IterMark, VarHash> var_marks_;
  std::unordered_map<Var, int64_t, VarHash> unit_vars_;  // extent-1 loops: their value
  std::vector<std::pair<Var, IterMark>> loop_marks_;
  std::vector<std::shared_ptr<IterMarkNode>> marks_;  // every mark, to bound by predicates
  std::vector<IterMark> bounded_marks_;
  std::string error_;
};

}  // namespace kiln::ir::arith
