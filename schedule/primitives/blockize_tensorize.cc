// blockize and tensorize: turning the loop nest under a loop into one block
// over a tile, and replacing a block's body by a tensor intrinsic.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <unordered_set>

#include "ir/arith/iter_map.h"
#include "ir/arith/linear_form.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"
#include "ir/substitute.h"
#include "schedule/intrinsics/match.h"
#include "schedule/ir_utils.h"
#include "schedule/loop_substitution.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

using VarSet = std::unordered_set<const ir::VarNode*>;

// Every variable used in `node` (an Expr or a Stmt).
template <typename Node>
void collect_vars(const Node& node, VarSet* out) {
  struct Collector : ir::IRVisitor {
    VarSet* vars;
    void visit_var(const ir::VarNode* op) override { vars->insert(op); }
  } collector;
  collector.vars = out;
  collector.visit(node);
}

bool uses_any(const ir::Expr& e, const VarSet& vars) {
  VarSet used;
  collect_vars(e, &used);
  for (const ir::VarNode* v : used)
    if (vars.count(v)) return true;
  return false;
}

// True when `e` uses a variable outside `vars`.
bool uses_other(const ir::Expr& e, const VarSet& vars) {
  VarSet used;
  collect_vars(e, &used);
  for (const ir::VarNode* v : used)
    if (!vars.count(v)) return true;
  return false;
}

void collect_conjuncts(const ir::Expr& e, std::vector<ir::Expr>* out) {
  if (const auto* op = e.as<ir::BinaryNode>(); op && op->kind == ir::ExprKind::kAnd) {
    collect_conjuncts(op->a, out);
    collect_conjuncts(op->b, out);
  } else if (!is_const_int(e, 1)) {
    out->push_back(e);
  }
}

ir::Expr conjunction(const std::vector<ir::Expr>& conjuncts) {
  ir::Expr all = ir::int_imm(ir::DataType::Bool(), 1);
  for (const ir::Expr& c : conjuncts) all = is_const_int(all, 1) ? c : ir::logical_and(all, c);
  return all;
}

// ---------------------------------------------------------------- blockize

// One digit of a binding in mixed radix: value in [0, extent), times scale.
struct Digit {
  ir::Expr value;
  int64_t extent;
  int64_t scale;
  bool inner;  // a function of the loops under the blockized loop
};

// Appends the digits of `split` (times `scale`): a fusion taken whole is its
// parts; any other piece is one digit, which must not mix loops from inside
// and outside.
bool collect_digits(const ir::arith::IterSplit& split, int64_t scale, const VarSet& inner_loops,
                    ir::DataType t, std::vector<Digit>* out) {
  const ir::arith::IterMark& mark = split.source;
  if (!mark->var.defined() && split.lower_factor == 1 && split.extent == mark->extent) {
    for (const ir::arith::IterSplit& part : mark->fused.args)
      if (!collect_digits(part, scale * split.scale, inner_loops, t, out)) return false;
    return true;
  }
  ir::Expr value = ir::arith::iter_split_to_expr({mark, split.lower_factor, split.extent, 1}, t);
  bool inner = uses_any(value, inner_loops);
  if (inner && uses_other(value, inner_loops)) return false;
  out->push_back({value, split.extent, scale * split.scale, inner});
  return true;
}

// A binding as base + outer * inner_extent + inner, where outer depends only
// on loops above the blockized loop and inner only on loops under it.
struct Division {
  ir::Expr outer, inner;
  int64_t outer_extent = 1, inner_extent = 1, base = 0;
};

std::optional<Division> divide_binding(const ir::Expr& binding, const ir::arith::VarRangeMap& dom,
                                       const VarSet& inner_loops, std::string* why) {
  ir::arith::IterMapResult map =
      ir::arith::detect_iter_map({binding}, dom, ir::Expr(), ir::arith::IterMapLevel::kSurjective);
  if (!map.ok) {
    *why = map.error;
    return std::nullopt;
  }
  const ir::DataType t = binding.dtype();
  std::vector<Digit> digits;
  for (const ir::arith::IterSplit& split : map.indices[0].args) {
    if (!collect_digits(split, 1, inner_loops, t, &digits)) {
      *why = "a piece of it mixes loops inside and outside the blockized loop";
      return std::nullopt;
    }
  }
  // The inner digits must be the low ones, a dense mixed-radix number from
  // scale 1; the outer digits continue it.
  std::stable_sort(digits.begin(), digits.end(),
                   [](const Digit& a, const Digit& b) { return a.scale < b.scale; });
  Division d;
  d.base = map.indices[0].base;
  d.outer = d.inner = ir::make_zero(t);
  int64_t expected = 1;
  bool in_outer = false;
  for (const Digit& digit : digits) {
    in_outer |= !digit.inner;
    if (digit.inner == in_outer || digit.scale != expected) {
      *why = "its loops inside the blockized loop are not the low digits of the index";
      return std::nullopt;
    }
    if (digit.inner) {
      d.inner = d.inner + digit.value * ir::int_imm(t, digit.scale);
      d.inner_extent *= digit.extent;
    } else {
      d.outer = d.outer + digit.value * ir::int_imm(t, digit.scale / d.inner_extent);
      d.outer_extent *= digit.extent;
    }
    expected *= digit.extent;
  }
  return d;
}

// `region` widened to every value of the variables in `ranges`: exactly when
// the bounds are linear in them, else to the whole dimension.
ir::BufferRegion relax_region(const ir::BufferRegion& region,
                              const std::unordered_map<const ir::VarNode*, ir::Range>& ranges) {
  VarSet relaxed;
  for (const auto& [var, range] : ranges) relaxed.insert(var);
  ir::BufferRegion out{region.buffer, {}};
  for (size_t d = 0; d < region.region.size(); ++d) {
    const ir::Range& r = region.region[d];
    const ir::DataType t = r.min.dtype();
    ir::arith::LinearForm min = ir::arith::LinearForm::from_expr(r.min), low(min.base());
    int64_t span = 0;
    bool exact = !uses_any(r.extent, relaxed);
    for (const ir::arith::LinearTerm& term : min.terms()) {
      auto it =
          term.atom.as<ir::VarNode>() ? ranges.find(term.atom.as<ir::VarNode>()) : ranges.end();
      if (it == ranges.end()) {
        exact &= !uses_any(term.atom, relaxed);
        low.add_term(term.atom, term.coef);
        continue;
      }
      const int64_t *lo = ir::as_const_int(it->second.min),
                    *extent = ir::as_const_int(it->second.extent);
      if (!lo || !extent) {
        exact = false;
        break;
      }
      low.add_const(term.coef * (term.coef > 0 ? *lo : *lo + *extent - 1));
      span += std::abs(term.coef) * (*extent - 1);
    }
    if (exact) {
      out.region.push_back(
          {low.to_expr(t), ir::arith::simplify(r.extent + ir::int_imm(r.extent.dtype(), span))});
    } else {
      out.region.push_back({ir::make_zero(t), region.buffer->shape[d]});
    }
  }
  return out;
}

std::vector<ir::BufferRegion> relax_regions(
    const std::vector<ir::BufferRegion>& regions,
    const std::unordered_map<const ir::VarNode*, ir::Range>& ranges) {
  std::vector<ir::BufferRegion> out;
  for (const ir::BufferRegion& r : regions) out.push_back(relax_region(r, ranges));
  return out;
}

ir::Stmt wrap_in_loops(ir::Stmt body, const std::vector<const ir::ForNode*>& loops_outer_first) {
  for (size_t i = loops_outer_first.size(); i-- > 0;) {
    const ir::ForNode* f = loops_outer_first[i];
    body = ir::for_loop(f->loop_var, f->min, f->extent, f->for_kind, body, f->thread_tag,
                        f->annotations);
  }
  return body;
}

std::vector<ir::BufferRegion> substitute_regions(const std::vector<ir::BufferRegion>& regions,
                                                 const ir::VarMap& map) {
  std::vector<ir::BufferRegion> out;
  for (const ir::BufferRegion& r : regions) {
    ir::BufferRegion moved{r.buffer, {}};
    for (const ir::Range& range : r.region)
      moved.region.push_back({ir::substitute(range.min, map), ir::substitute(range.extent, map)});
    out.push_back(std::move(moved));
  }
  return out;
}

// The outer block's init: the inner block's init over the spatial part of
// the tile, in copies of the inner loops its bindings use (after TVM).
// `inner` is the rewritten inner block, `init` its init.
ir::Stmt outer_init(const ir::BlockRealizeNode& inner, const ir::Stmt& init,
                    const std::vector<const ir::ForNode*>& loops, const std::string& primitive,
                    const ir::Var& where) {
  const ir::BlockNode& block = *inner.block;
  VarSet init_uses, reduction_loops;
  collect_vars(init, &init_uses);
  ir::VarMap rename;
  std::vector<ir::IterVar> iter_vars;
  std::vector<ir::Expr> bindings;
  std::unordered_map<const ir::VarNode*, ir::Range> unused_iters;
  for (size_t k = 0; k < block.iter_vars.size(); ++k) {
    const ir::IterVar& iv = block.iter_vars[k];
    if (iv.kind == ir::IterKind::kReduction) collect_vars(inner.iter_values[k], &reduction_loops);
    if (!init_uses.count(iv.var.get())) {
      unused_iters.emplace(iv.var.get(), iv.dom);
      continue;
    }
    if (iv.kind == ir::IterKind::kReduction)
      throw ScheduleError(primitive,
                          "the init of block \"" + block.name + "\" uses its reduction iter var `" +
                              iv.var.name() + "`",
                          "An init must depend only on spatial iter vars", where, block.name);
    ir::Var copy = iv.var.copy_with_name(iv.var.name() + "_init");
    rename[iv.var] = copy;
    iter_vars.push_back({copy, iv.dom, iv.kind});
    bindings.push_back(inner.iter_values[k]);
  }
  std::vector<const ir::ForNode*> nest;
  for (const ir::ForNode* loop : loops) {
    bool used = false;
    for (const ir::Expr& b : bindings) used |= uses_any(b, {loop->loop_var.get()});
    if (!used) continue;
    if (reduction_loops.count(loop->loop_var.get()))
      throw ScheduleError(
          primitive,
          "loop `" + loop->loop_var.name() +
              "` drives both spatial and reduction iter vars of block \"" + block.name +
              "\": its init, moved out of the loops, would have to run more than once",
          "Blockize before fusing spatial and reduction loops", where, block.name);
    rename[loop->loop_var] = loop->loop_var.copy_with_name(loop->loop_var.name());
    nest.push_back(loop);
  }
  auto init_block = std::make_shared<ir::BlockNode>();
  init_block->name = block.name + "_init";
  init_block->iter_vars = iter_vars;
  init_block->writes = relax_regions(substitute_regions(block.writes, rename), unused_iters);
  init_block->body = ir::substitute(init, rename);
  for (ir::Expr& b : bindings) b = ir::substitute(b, rename);
  ir::Stmt stmt =
      ir::block_realize(bindings, ir::int_imm(ir::DataType::Bool(), 1), std::move(init_block));
  for (size_t i = nest.size(); i-- > 0;) {
    const ir::ForNode* f = nest[i];
    stmt = ir::for_loop(ir::Var::from_expr(rename.at(f->loop_var)), f->min, f->extent, f->for_kind,
                        stmt, f->thread_tag, f->annotations);
  }
  return stmt;
}

// How one iter var of the inner block divides between the two new blocks.
enum class IterRole {
  kOuter,  // bound to loops outside the blockized loop only: v = v_o
  kInner,  // bound to loops inside only: v = v_i, and v_o is a unit iter var
  kBoth,   // v = base + v_o * inner_extent + v_i
};

// The new outer block that blockize puts in place of `loop_stmt` (a For),
// built without changing anything; throws ScheduleError for `primitive`.
ir::Stmt build_blockized(const ir::PrimFunc& func, const ir::Stmt& loop_stmt,
                         const std::string& primitive) {
  const ir::Var& where = loop_stmt.as<ir::ForNode>()->loop_var;
  const std::string at = "loop `" + where.name() + "`";

  // Step 1. Under the loop: a nest of loops around exactly one block.
  std::vector<const ir::ForNode*> loops;
  ir::Stmt s = loop_stmt;
  for (const ir::ForNode* f = s.as<ir::ForNode>(); f; f = s.as<ir::ForNode>()) {
    loops.push_back(f);
    s = f->body;
  }
  const auto* realize = s.as<ir::BlockRealizeNode>();
  if (!realize)
    throw ScheduleError(primitive,
                        at + " is not a nest of loops around a single block (it holds " +
                            std::to_string(child_blocks(loop_stmt).size()) + " blocks)",
                        "Blockize a loop whose body is loops around one block", where);
  const ir::BlockNode& block = *realize->block;
  const std::string outer_name = block.name + "_o";
  std::vector<std::string> new_names{outer_name};
  if (block.init.defined()) new_names.push_back(block.name + "_init");
  for (const std::string& name : new_names)
    if (find_block(func, name).defined())
      throw ScheduleError(primitive, "a block named \"" + name + "\" already exists",
                          "Blocks must keep unique names", where, block.name);
  VarSet inner_loops;
  for (const ir::ForNode* f : loops) inner_loops.insert(f->loop_var.get());
  // The nest moves into a block (which cannot see the loops outside) and its
  // init into copies of some of its loops: both need ranges of their own.
  for (const ir::ForNode* f : loops)
    if (!ir::as_const_int(f->min) || !ir::as_const_int(f->extent))
      throw ScheduleError(
          primitive,
          "the range of loop `" + f->loop_var.name() + "` under " + at + " is not constant",
          "Blockize a loop whose nest has constant ranges", where, block.name);

  // Step 2. Each conjunct of the predicate goes with the loops it uses.
  std::vector<ir::Expr> conjuncts, outer_predicate, inner_predicate;
  collect_conjuncts(realize->predicate, &conjuncts);
  for (const ir::Expr& c : conjuncts) {
    bool inside = uses_any(c, inner_loops);
    if (inside && uses_other(c, inner_loops))
      throw ScheduleError(primitive,
                          "the predicate " + ir::to_script(c) + " of block \"" + block.name +
                              "\" involves loops both inside and outside " + at,
                          "Blockize at a loop that holds every loop of the predicate, or split by "
                          "factors that divide",
                          where, block.name);
    (inside ? inner_predicate : outer_predicate).push_back(c);
  }

  // Step 3. Divide every binding into an outer and an inner part.
  ir::arith::VarRangeMap dom, inner_dom;
  for (const ir::Stmt& l : enclosing_loops(func, s.get())) {
    const auto* f = l.as<ir::ForNode>();
    dom[f->loop_var] = ir::Range{f->min, f->extent};
    if (inner_loops.count(f->loop_var.get())) inner_dom[f->loop_var] = dom[f->loop_var];
  }
  ir::arith::Analyzer analyzer = analyzer_for(func, s.get());
  std::vector<ir::IterVar> outer_ivs, inner_ivs;
  std::vector<ir::Expr> outer_bindings, inner_bindings;
  std::vector<int64_t> inner_base;  // per inner iter var: what kBoth adds to it
  std::vector<const ir::IterVar*> inner_origin;
  ir::VarMap subst;
  for (size_t k = 0; k < block.iter_vars.size(); ++k) {
    const ir::IterVar& iv = block.iter_vars[k];
    const ir::Expr& binding = realize->iter_values[k];
    const ir::DataType t = iv.var.dtype();
    bool inside = uses_any(binding, inner_loops), outside = uses_other(binding, inner_loops);
    IterRole role = inside ? (outside ? IterRole::kBoth : IterRole::kInner) : IterRole::kOuter;
    ir::Expr outer_binding = binding, inner_binding = binding;
    Division division;
    if (role == IterRole::kBoth) {
      std::string why;
      std::optional<Division> d = divide_binding(binding, dom, inner_loops, &why);
      if (!d)
        throw ScheduleError(primitive,
                            "iter var `" + iv.var.name() + "` of block \"" + block.name +
                                "\" is bound to " + ir::to_script(binding) +
                                ", which does not divide into a part outside " + at +
                                " and a part inside: " + why,
                            "Blockize at a loop whose inner loops are the low digits of every "
                            "binding, as split makes them",
                            where, block.name);
      division = *d;
      ir::Expr base = ir::int_imm(t, division.base);
      if (division.inner_extent == 1) {
        role = IterRole::kOuter;
        outer_binding = base + division.outer;
      } else if (division.outer_extent == 1) {
        role = IterRole::kInner;
        inner_binding = base + division.inner;
      }
    }
    ir::Var outer_var = iv.var.copy_with_name(iv.var.name() + "_o");
    if (role == IterRole::kOuter) {
      outer_ivs.push_back({outer_var, iv.dom, iv.kind});
      outer_bindings.push_back(analyzer.simplify(outer_binding));
      subst[iv.var] = outer_var;
      continue;
    }
    ir::Var inner_var = iv.var.copy_with_name(iv.var.name() + "_i");
    inner_origin.push_back(&iv);
    if (role == IterRole::kInner) {
      outer_ivs.push_back({outer_var, ir::Range{ir::make_zero(t), ir::int_imm(t, 1)}, iv.kind});
      outer_bindings.push_back(ir::make_zero(t));
      inner_ivs.push_back({inner_var, iv.dom, iv.kind});
      inner_bindings.push_back(analyzer.simplify(inner_binding));
      inner_base.push_back(0);
      subst[iv.var] = inner_var;
      continue;
    }
    outer_ivs.push_back(
        {outer_var, ir::Range{ir::make_zero(t), ir::int_imm(t, division.outer_extent)}, iv.kind});
    outer_bindings.push_back(analyzer.simplify(division.outer));
    inner_ivs.push_back(
        {inner_var, ir::Range{ir::make_zero(t), ir::int_imm(t, division.inner_extent)}, iv.kind});
    inner_bindings.push_back(analyzer.simplify(division.inner));
    inner_base.push_back(division.base);
    subst[iv.var] = ir::int_imm(t, division.base) +
                    outer_var * ir::int_imm(t, division.inner_extent) + inner_var;
  }

  // Step 4. An init moves to the outer block, where it runs once before the
  // tile. That is what it did inside when every element of the tile is
  // reached once, reductions starting at their minimum.
  if (block.init.defined()) {
    const std::string why =
        "block \"" + block.name + "\" has an init, which blockize moves out of " + at;
    if (!inner_predicate.empty())
      throw ScheduleError(primitive,
                          why + ", but a predicate inside the tile would skip part of it",
                          "Blockize at a loop outside the predicate, or decompose_reduction first",
                          where, block.name);
    ir::arith::IterMapResult tile = ir::arith::detect_iter_map(
        inner_bindings, inner_dom, ir::Expr(), ir::arith::IterMapLevel::kBijective);
    if (!tile.ok)
      throw ScheduleError(
          primitive,
          why + ", but the loops inside do not reach every element of the tile once: " + tile.error,
          "decompose_reduction first, or blockize a loop whose nest maps one-to-one onto the tile",
          where, block.name);
    for (size_t j = 0; j < inner_ivs.size(); ++j) {
      const ir::IterVar& origin = *inner_origin[j];
      if (origin.kind != ir::IterKind::kReduction) continue;
      const int64_t* min = ir::as_const_int(origin.dom.min);
      if (!min || inner_base[j] + tile.indices[j].base != *min)
        throw ScheduleError(primitive,
                            why + ", but reduction iter var `" + origin.var.name() +
                                "` does not start the tile at the minimum of its domain",
                            "decompose_reduction first", where, block.name);
    }
  }

  // Step 5. The inner block: new iter vars and bindings, the rest rewritten.
  auto inner_block = ir::copy_block(block);
  inner_block->iter_vars = inner_ivs;
  inner_block->init = ir::Stmt();
  inner_block->body = ir::substitute(block.body, subst);
  inner_block->writes = substitute_regions(block.writes, subst);
  std::vector<ir::BufferRegion> reads = substitute_regions(block.reads, subst);
  inner_block->reads = reads;
  bool outer_reduction = false;
  for (const ir::IterVar& iv : outer_ivs) outer_reduction |= iv.kind == ir::IterKind::kReduction;
  if (block.init.defined() && outer_reduction) {
    // Without its init, the inner block reads what it accumulates into.
    std::vector<ir::BufferRegion> with_writes;
    for (const ir::BufferRegion& w : inner_block->writes) {
      bool listed = false;
      for (const ir::BufferRegion& r : reads) listed |= r.buffer == w.buffer;
      if (!listed) with_writes.push_back(w);
    }
    with_writes.insert(with_writes.end(), reads.begin(), reads.end());
    inner_block->reads = std::move(with_writes);
  }
  ir::Stmt inner = ir::block_realize(inner_bindings, conjunction(inner_predicate), inner_block);

  // Step 6. The outer block over the tile.
  std::unordered_map<const ir::VarNode*, ir::Range> tile_ranges;
  for (const ir::IterVar& iv : inner_ivs) tile_ranges.emplace(iv.var.get(), iv.dom);
  auto outer_block = std::make_shared<ir::BlockNode>();
  outer_block->name = outer_name;
  outer_block->iter_vars = outer_ivs;
  outer_block->reads = relax_regions(reads, tile_ranges);
  outer_block->writes = relax_regions(inner_block->writes, tile_ranges);
  if (block.init.defined())
    outer_block->init = outer_init(*inner.as<ir::BlockRealizeNode>(),
                                   ir::substitute(block.init, subst), loops, primitive, where);
  outer_block->body = wrap_in_loops(inner, loops);
  return ir::block_realize(outer_bindings, conjunction(outer_predicate), std::move(outer_block));
}

std::string intrin_list() {
  std::string names;
  for (const std::string& n : tensor_intrin_names()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

}  // namespace

BlockRV Schedule::blockize(LoopRV loop) {
  return guard([&] {
    ir::Stmt s = loop_stmt(loop);
    ir::Stmt outer = build_blockized(func_, s, "blockize");
    set_func(replace_stmt(func_, s.get(), outer));
    BlockRV out = add_block(outer.as<ir::BlockRealizeNode>()->block->name);
    record("blockize", {loop}, {}, {out});
    return out;
  });
}

void Schedule::tensorize(RV block_or_loop, const std::string& intrin_name) {
  guard([&] {
    // Step 1. The intrinsic.
    const TensorIntrin* intrin = find_tensor_intrin(intrin_name);
    if (!intrin)
      throw ScheduleError(
          "tensorize", "there is no tensor intrinsic \"" + intrin_name + "\"",
          "Use a registered one (" + intrin_list() + ") or register_tensor_intrin your own");
    // Step 2. The block to match: the given one, or the loop's nest made one.
    ir::Stmt replaced, realize;
    ir::Var where_loop;
    if (block_or_loop.kind == RV::Kind::kLoop) {
      replaced = loop_stmt(LoopRV{block_or_loop.id});
      where_loop = replaced.as<ir::ForNode>()->loop_var;
      realize = build_blockized(func_, replaced, "tensorize");
    } else if (block_or_loop.kind == RV::Kind::kBlock) {
      replaced = realize = block_stmt(BlockRV{block_or_loop.id});
    } else {
      throw ScheduleError("tensorize", "the target is a sampled value",
                          "Tensorize a block or a loop");
    }
    // Step 3. Match it against the description.
    const auto* r = realize.as<ir::BlockRealizeNode>();
    std::string mismatch;
    std::optional<IntrinsicWindows> windows = match_tensor_intrin(*r, *intrin, &mismatch);
    if (!windows)
      throw ScheduleError(
          "tensorize",
          "block \"" + r->block->name + "\" does not match tensor intrinsic \"" + intrin_name +
              "\": " + mismatch,
          "Tile, reorder and stage the computation (cache_read into the intrinsic's scopes) until "
          "the tile is the intrinsic's description",
          where_loop, where_loop.defined() ? "" : r->block->name);
    // Step 4. Put the implementation in its place.
    set_func(replace_stmt(func_, replaced.get(), apply_tensor_intrin(*r, *intrin, *windows)));
  });
  record("tensorize", {block_or_loop}, {intrin_name}, {});
}

void register_blockize_tensorize_instructions() {
  register_instruction_kind({"blockize",
                             false,
                             false,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>&) {
                               return std::vector<RV>{sch.blockize(input_loop(in, 0))};
                             },
                             nullptr});
  register_instruction_kind(
      {"tensorize",
       false,
       false,
       {"tensor_intrin"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         sch.tensorize(std::get<RV>(in.at(0)), attr_as<std::string>(attrs, 0));
         return std::vector<RV>{};
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         return "sch.tensorize(" + in[0] + ", " + attr_to_python(attrs[0]) + ")";
       }});
}

}  // namespace kiln::sched
