#include "schedule/loop_substitution.h"

#include "ir/arith/iter_map.h"
#include "ir/op.h"
#include "schedule/ir_utils.h"

namespace kiln::sched {

namespace {

ir::Expr simplify_predicate(const ir::Expr& pred, const ir::arith::Analyzer& analyzer) {
  ir::Expr s = analyzer.simplify(pred);
  return analyzer.can_prove(s) ? ir::int_imm(ir::DataType::Bool(), 1) : s;
}

// Bindings keep their affine shape (the iter-map form later primitives
// detect); the general simplifier, value-correct but shape-blind, is the
// fallback for bindings that are not affine.
std::vector<ir::Expr> simplify_bindings(const std::vector<ir::Expr>& values,
                                        const ir::arith::Analyzer& analyzer) {
  ir::arith::VarRangeMap dom;
  for (const auto& [var, bound] : analyzer.bounds())
    if (bound.has_min() && bound.has_max())
      dom[var] = ir::Range{ir::int_imm(var.dtype(), bound.min),
                           ir::int_imm(var.dtype(), bound.max - bound.min + 1)};
  std::vector<ir::Expr> out = ir::arith::iter_map_simplify(values, dom);
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].same_as(values[i])) out[i] = analyzer.simplify(values[i]);
  return out;
}

ir::Stmt walk(const ir::Stmt& s, const ir::VarMap& map, const ir::Expr& extra,
              ir::arith::Analyzer& analyzer) {
  switch (s.kind()) {
    case ir::StmtKind::kFor: {
      const auto* f = s.as<ir::ForNode>();
      ir::Expr mn = analyzer.simplify(ir::substitute(f->min, map));
      ir::Expr ext = analyzer.simplify(ir::substitute(f->extent, map));
      ir::arith::Analyzer inner = analyzer;
      inner.bind(f->loop_var, ir::Range{mn, ext});
      ir::Stmt body = walk(f->body, map, extra, inner);
      if (mn.same_as(f->min) && ext.same_as(f->extent) && body.same_as(f->body)) return s;
      return ir::for_loop(f->loop_var, mn, ext, f->for_kind, body, f->thread_tag, f->annotations);
    }
    case ir::StmtKind::kBlockRealize: {
      const auto* r = s.as<ir::BlockRealizeNode>();
      std::vector<ir::Expr> values;
      values.reserve(r->iter_values.size());
      for (const ir::Expr& v : r->iter_values) values.push_back(ir::substitute(v, map));
      values = simplify_bindings(values, analyzer);
      ir::Expr pred = ir::substitute(r->predicate, map);
      if (extra.defined()) pred = ir::logical_and(pred, extra);
      pred = simplify_predicate(pred, analyzer);
      return ir::block_realize(std::move(values), pred, r->block);
    }
    case ir::StmtKind::kSeq: {
      std::vector<ir::Stmt> seq;
      for (const ir::Stmt& c : s.as<ir::SeqStmtNode>()->seq)
        seq.push_back(walk(c, map, extra, analyzer));
      return ir::seq(std::move(seq));
    }
    case ir::StmtKind::kIfThenElse: {
      const auto* n = s.as<ir::IfThenElseNode>();
      return ir::if_then_else(
          analyzer.simplify(ir::substitute(n->condition, map)),
          walk(n->then_case, map, extra, analyzer),
          n->else_case.defined() ? walk(n->else_case, map, extra, analyzer) : ir::Stmt());
    }
    default:
      // Statements outside blocks (stores, lets) only appear in lowered code.
      return ir::substitute(s, map);
  }
}

}  // namespace

ir::Stmt substitute_loops(const ir::Stmt& body, const ir::VarMap& map,
                          const ir::Expr& extra_predicate, ir::arith::Analyzer analyzer) {
  return walk(body, map, extra_predicate, analyzer);
}

ir::arith::Analyzer analyzer_for(const ir::PrimFunc& func, const ir::StmtNode* target) {
  ir::arith::Analyzer analyzer;
  for (const ir::Stmt& s : path_to(func, target)) {
    if (s.get() == target) break;
    if (const auto* f = s.as<ir::ForNode>())
      analyzer.bind(f->loop_var, ir::Range{f->min, f->extent});
  }
  return analyzer;
}

}  // namespace kiln::sched
