// compute_at, reverse_compute_at and sample_compute_location: moving a block
// under a loop of its consumers (or of its producers) and computing there only
// the region that one iteration of the loop needs.
//
// Why the checks make the move sound. Moving block B into loop L changes when
// B runs relative to the blocks that lie, in program order, between B and L:
// the "crossed" blocks, every block in the branches of the lowest common
// ancestor of B and L from B's branch to L's branch (B's own loop nest and all
// of L included). Everything else keeps its order relative to B.
//  - compute_at (B moves later): no crossed block may write what B reads;
//    every reader of B's output is under L, after B's new place; B is the only
//    writer of its outputs, none a function output (B now computes only what
//    its readers use); and running B again is harmless (each point written
//    once per run, from inputs that no longer change, and a reduction runs
//    whole, with its init). B's new domain holds what its readers read in one
//    iteration of L, so they read only what B has just written.
//  - reverse_compute_at (B moves earlier): no crossed block may read B's
//    output; every crossed writer of what B reads is under L, before B's new
//    place, and writes in each iteration of L exactly a box of final values
//    (checked down its own producers) that holds what B reads there; B's new
//    bindings still reach every point of its domain, and a reduction B runs
//    its whole reduction in each iteration.
#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "ir/arith/iter_map.h"
#include "ir/arith/linear_form.h"
#include "ir/op.h"
#include "schedule/block_analysis.h"
#include "schedule/compute_at_region.h"
#include "schedule/ir_utils.h"
#include "schedule/loop_substitution.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

using ir::Expr;
using ir::Stmt;
using BufferSet = std::unordered_set<const ir::BufferNode*>;
// One interval per buffer dimension.
using Box = std::vector<IndexInterval>;

const ir::BlockNode& block_of(const Stmt& realize) {
  return *realize.as<ir::BlockRealizeNode>()->block;
}

BufferSet buffers_of(const std::vector<ir::BufferRegion>& regions) {
  BufferSet out;
  for (const ir::BufferRegion& r : regions) out.insert(r.buffer.get());
  return out;
}

// The first buffer of `regions` that is in `buffers`, or null.
const ir::BufferNode* first_touched(const std::vector<ir::BufferRegion>& regions,
                                    const BufferSet& buffers) {
  for (const ir::BufferRegion& r : regions)
    if (buffers.count(r.buffer.get())) return r.buffer.get();
  return nullptr;
}

// The blocks of a statement that belong to its scope: the statement itself
// when it is a block.
std::vector<Stmt> blocks_in(const Stmt& s) {
  if (s.kind() == ir::StmtKind::kBlockRealize) return {s};
  return child_blocks(s);
}

std::vector<Stmt> children_of(const Stmt& body) {
  if (const auto* seq = body.as<ir::SeqStmtNode>()) return seq->seq;
  return {body};
}

ir::VarMap bindings_of(const Stmt& realize) {
  const auto* r = realize.as<ir::BlockRealizeNode>();
  ir::VarMap map;
  for (size_t i = 0; i < r->iter_values.size(); ++i)
    map[r->block->iter_vars[i].var] = r->iter_values[i];
  return map;
}

bool has_reduction(const ir::BlockNode& block) {
  return std::any_of(block.iter_vars.begin(), block.iter_vars.end(),
                     [](const ir::IterVar& iv) { return iv.kind == ir::IterKind::kReduction; });
}

std::string quoted(const ir::BufferNode* buffer) { return "`" + buffer->name + "`"; }

// A region dimension [a*v + b, a*v + b + e - 1] of a single iter var v, with
// constants a > 0 and e >= 1; the form a block's written (or read) point or
// tile takes.
struct SingleVarDim {
  ir::Var var;
  int64_t scale = 1;
  int64_t offset = 0;
  int64_t extent = 1;
};

std::optional<SingleVarDim> single_var_dim(const ir::Range& range, const ir::BlockNode& block) {
  const int64_t* extent = ir::as_const_int(range.extent);
  if (!extent || *extent < 1) return std::nullopt;
  ir::arith::LinearForm form = ir::arith::LinearForm::from_expr(range.min);
  if (form.terms().size() != 1 || form.terms()[0].coef < 1) return std::nullopt;
  const Expr& atom = form.terms()[0].atom;
  for (const ir::IterVar& iv : block.iter_vars)
    if (atom.same_as(iv.var))
      return SingleVarDim{iv.var, form.terms()[0].coef, form.base(), *extent};
  return std::nullopt;
}

// Moves one block under a loop; every check runs before anything is built,
// so a ScheduleError leaves the function as it was. One object per move.
class ComputeLocationMove {
 public:
  ComputeLocationMove(const char* primitive, bool is_compute_at, const ir::PrimFunc& func,
                      Stmt block, Stmt loop, bool preserve_unit_loops, int64_t index)
      : primitive_(primitive),
        is_compute_at_(is_compute_at),
        func_(func),
        block_(std::move(block)),
        loop_(std::move(loop)),
        preserve_unit_loops_(preserve_unit_loops),
        index_(index) {}

  // Steps 1-6: throws a ScheduleError when the move is not legal.
  void check() {
    find_scope();
    check_block();
    check_crossed_blocks();
    compute_required_regions();
    compute_domain();
    if (!is_compute_at_) check_reverse_coverage();
  }

  ir::PrimFunc run() {
    check();
    return rebuild();
  }

 private:
  const ir::ForNode* loop_node() const { return loop_.as<ir::ForNode>(); }
  const std::string& block_name() const { return block_of(block_).name; }
  std::string where() const {
    return "block \"" + block_name() + "\" and loop `" + loop_node()->loop_var.name() + "`";
  }
  [[noreturn]] void fail(const std::string& message, const std::string& hint) const {
    throw ScheduleError(primitive_, message, hint, loop_node()->loop_var, block_name());
  }

  // Step 1. The block and the loop share a scope, the loop does not enclose
  // the block, and the loop comes after the block (compute_at) or before it
  // (reverse_compute_at).
  void find_scope() {
    block_path_ = path_to(func_, block_.get());
    loop_path_ = path_to(func_, loop_.get());
    auto scope_depth = [](const std::vector<Stmt>& path) {
      size_t d = path.size() - 1;
      while (d-- > 0)
        if (path[d].kind() == ir::StmtKind::kBlockRealize) return d;
      return size_t{0};
    };
    scope_depth_ = scope_depth(block_path_);
    if (!block_path_[scope_depth_].same_as(loop_path_[scope_depth(loop_path_)]))
      fail(where() + " are not in the same block scope",
           "Move a block only under loops of its own scope (inside the same enclosing block)");
    for (const Stmt& s : block_path_)
      if (s.same_as(loop_))
        fail("loop `" + loop_node()->loop_var.name() + "` already encloses block \"" +
                 block_name() + "\"",
             is_compute_at_ ? "Pick a loop of a consumer that does not contain the block"
                            : "Pick a loop of a producer that does not contain the block");
    size_t k = 0;
    while (k < block_path_.size() && k < loop_path_.size() && block_path_[k].same_as(loop_path_[k]))
      ++k;
    const auto* lca = block_path_[k - 1].as<ir::SeqStmtNode>();
    if (!lca)
      fail(where() + " do not branch off a statement sequence",
           "Only loop nests in a sequence of statements can be rearranged");
    auto position = [&](const Stmt& child) {
      return std::find_if(lca->seq.begin(), lca->seq.end(),
                          [&](const Stmt& s) { return s.same_as(child); }) -
             lca->seq.begin();
    };
    const auto block_branch = position(block_path_[k]), loop_branch = position(loop_path_[k]);
    if (is_compute_at_ && loop_branch < block_branch)
      fail("loop `" + loop_node()->loop_var.name() + "` runs before block \"" + block_name() +
               "\", so nothing under it can consume what the block writes",
           "compute_at moves a producer under a loop of its consumers; to move a consumer under a "
           "loop of its producer, use reverse_compute_at");
    if (!is_compute_at_ && block_branch < loop_branch)
      fail("loop `" + loop_node()->loop_var.name() + "` runs after block \"" + block_name() +
               "\", so nothing under it can produce what the block reads",
           "reverse_compute_at moves a consumer under a loop of its producer; to move a producer "
           "under a loop of its consumer, use compute_at");
    for (auto i = std::min(block_branch, loop_branch); i <= std::max(block_branch, loop_branch);
         ++i)
      for (const Stmt& s : blocks_in(lca->seq[i]))
        if (!s.same_as(block_)) crossed_.push_back(s);
    scope_blocks_ = child_blocks(block_path_[scope_depth_]);
    for (size_t i = 0; i < scope_blocks_.size(); ++i) program_order_[scope_blocks_[i].get()] = i;
    body_children_ = children_of(loop_node()->body);
    for (size_t j = 0; j < body_children_.size(); ++j)
      for (const Stmt& s : blocks_in(body_children_[j]))
        position_under_loop_[s.get()] = static_cast<int>(j);
    // Loops from the scope down to the loop: fixed in one iteration of it.
    for (size_t d = scope_depth(loop_path_) + 1; d < loop_path_.size(); ++d)
      if (loop_path_[d].kind() == ir::StmtKind::kFor) outer_loops_.push_back(loop_path_[d]);
    analyzer_ = analyzer_for(func_, loop_.get());
    analyzer_.bind(loop_node()->loop_var, ir::Range{loop_node()->min, loop_node()->extent});
  }

  // Step 2. The block can be recomputed in pieces: it alone writes its
  // outputs (and for compute_at none is a function output), each of its
  // iterations writes its own points, and a block that reads its own output
  // is a reduction with an init.
  void check_block() {
    // The new loops get a predicate from the block's domain only; a
    // predicate of the block's own (a split that does not divide its
    // reduction) would be lost, and the block would read past its inputs.
    {
      const auto* realize = block_.as<ir::BlockRealizeNode>();
      ir::arith::Analyzer a;
      for (const Stmt& l : enclosing_loops(func_, block_.get()))
        a.bind(l.as<ir::ForNode>()->loop_var,
               ir::Range{l.as<ir::ForNode>()->min, l.as<ir::ForNode>()->extent});
      if (!a.can_prove(realize->predicate))
        fail("block \"" + block_name() + "\" runs under a predicate, which moving it would drop",
             "Move the block before splitting its loops by factors that do not divide");
    }
    const ir::BlockNode& block = block_of(block_);
    outputs_ = buffers_of(block.writes);
    inputs_ = buffers_of(block.reads);
    for (const Stmt& other : scope_blocks_) {
      if (other.same_as(block_)) continue;
      if (const ir::BufferNode* b = first_touched(block_of(other).writes, outputs_))
        fail("block \"" + block_name() + "\" is not the only writer of " + quoted(b) +
                 ": block \"" + block_of(other).name + "\" writes it too",
             "Only a block that alone produces its outputs can be moved");
    }
    if (is_compute_at_)
      for (const ir::Buffer& param : func_->params)
        if (outputs_.count(param.get()))
          fail("block \"" + block_name() + "\" writes the function output " + quoted(param.get()) +
                   ", all of which it must compute",
               "compute_at only producers of intermediate buffers; move an output block with "
               "reverse_compute_at under a loop of its producer");
    check_recomputable(block_, block_name(), "");
  }

  // `realize` (the moved block, or a producer whose values must be final in
  // one iteration of the loop) may run again on points it already wrote.
  void check_recomputable(const Stmt& realize, const std::string& name,
                          const std::string& role) const {
    const ir::BlockNode& block = block_of(realize);
    const std::string who = role + "block \"" + name + "\"";
    const BufferSet writes = buffers_of(block.writes);
    if (first_touched(block.reads, writes) && !(has_reduction(block) && block.init.defined()))
      fail(who +
               " reads what it writes without being a reduction with an init: running it again "
               "would apply it twice",
           "Only complete blocks and reductions with an init can be recomputed under a loop");
    ir::arith::VarRangeMap spatial;
    for (const ir::IterVar& iv : block.iter_vars) {
      if (iv.kind == ir::IterKind::kSpatial) {
        if (!ir::as_const_int(iv.dom.min) || !ir::as_const_int(iv.dom.extent))
          fail(who + " has the iter var `" + iv.var.name() + "` with a non-constant domain",
               "Only blocks with constant iter var domains can be moved");
        spatial[iv.var] = iv.dom;
        continue;
      }
      for (const ir::BufferRegion& w : block.writes)
        for (const ir::Range& r : w.region)
          if (uses_var(r.min, iv.var) || uses_var(r.extent, iv.var))
            fail(who + " writes " + quoted(w.buffer.get()) +
                     " at an index of its reduction iter var `" + iv.var.name() + "`",
                 "A reduction must write each output point from its spatial iter vars only");
    }
    for (const ir::BufferRegion& w : block.writes) {
      std::vector<Expr> mins;
      for (const ir::Range& r : w.region) mins.push_back(r.min);
      ir::arith::IterMapResult m =
          ir::arith::detect_iter_map(mins, spatial, Expr(), ir::arith::IterMapLevel::kBijective);
      if (!m.ok)
        fail("the iterations of " + who + " overwrite each other's points of " +
                 quoted(w.buffer.get()) + " (" + m.error + ")",
             "Only blocks whose spatial iter vars each index the written buffer can be recomputed");
    }
  }

  // Step 3. The crossed blocks: what they read and write decides which
  // blocks under the loop depend on the moved one, and where it may go.
  void check_crossed_blocks() {
    const std::string loop_name = "loop `" + loop_node()->loop_var.name() + "`";
    int first_consumer = static_cast<int>(body_children_.size()), last_producer = -1;
    if (is_compute_at_) {
      for (const Stmt& s : scope_blocks_) {
        if (s.same_as(block_)) continue;
        const ir::BufferNode* b = first_touched(block_of(s).reads, outputs_);
        if (!b) continue;
        auto it = position_under_loop_.find(s.get());
        if (it == position_under_loop_.end())
          fail(
              "block \"" + block_of(s).name + "\" reads " + quoted(b) + ", which block \"" +
                  block_name() + "\" writes, but is not under " + loop_name,
              "compute_at needs every consumer under the loop: pick a loop that encloses them all");
        dependents_.push_back(s);
        first_consumer = std::min(first_consumer, it->second);
      }
      for (const Stmt& s : crossed_)
        if (const ir::BufferNode* b = first_touched(block_of(s).writes, inputs_))
          fail("block \"" + block_of(s).name + "\" writes " + quoted(b) + ", which block \"" +
                   block_name() + "\" reads, and runs between the block and " + loop_name,
               "The block would read the new values; move it to a loop before that writer");
      if (dependents_.empty())
        fail("no block under " + loop_name + " reads what block \"" + block_name() + "\" writes",
             "compute_at a producer under a loop of one of its consumers");
    } else {
      for (const Stmt& s : crossed_) {
        if (const ir::BufferNode* b = first_touched(block_of(s).reads, outputs_))
          fail("block \"" + block_of(s).name + "\" reads " + quoted(b) + ", which block \"" +
                   block_name() + "\" writes, and runs between " + loop_name + " and the block",
               "It would read the block's output before the block finished; move the block to a "
               "loop "
               "after that reader");
        const ir::BufferNode* b = first_touched(block_of(s).writes, inputs_);
        if (!b) continue;
        auto it = position_under_loop_.find(s.get());
        if (it == position_under_loop_.end())
          fail("block \"" + block_of(s).name + "\" writes " + quoted(b) + ", which block \"" +
                   block_name() + "\" reads, but is not under " + loop_name,
               "reverse_compute_at needs every producer between the loop and the block under the "
               "loop");
        dependents_.push_back(s);
        last_producer = std::max(last_producer, it->second);
      }
      if (dependents_.empty())
        fail("no block under " + loop_name + " writes what block \"" + block_name() + "\" reads",
             "reverse_compute_at a consumer under a loop of one of its producers");
    }
    // Positions between the last producer and the first consumer keep the
    // dataflow; -1 picks the last of them and -2 the first, as TVM does.
    if (index_ == -1)
      insert_position_ = first_consumer;
    else if (index_ == -2)
      insert_position_ = last_producer + 1;
    else if (index_ >= last_producer + 1 && index_ <= first_consumer)
      insert_position_ = static_cast<int>(index_);
    else
      fail("index " + std::to_string(index_) + " is no valid position under " + loop_name +
               ": valid are -1, -2 and " + std::to_string(last_producer + 1) + " to " +
               std::to_string(first_consumer),
           "Positions must keep the block after its producers and before its consumers under the "
           "loop");
  }

  // The loops between the loop (exclusive) and `realize`, with their ranges.
  ir::arith::VarRangeMap inner_loops(const Stmt& realize) const {
    ir::arith::VarRangeMap inner;
    bool below = false;
    for (const Stmt& s : path_to(func_, realize.get())) {
      if (s.same_as(loop_))
        below = true;
      else if (const auto* f = s.as<ir::ForNode>(); f && below)
        inner[f->loop_var] = ir::Range{f->min, f->extent};
    }
    return inner;
  }

  ir::arith::Analyzer analyzer_with(const ir::arith::VarRangeMap& loops) const {
    ir::arith::Analyzer a = analyzer_;
    for (const auto& [var, range] : loops) a.bind(var, range);
    return a;
  }

  // The thread-bound loops at or around the loop whose threads all use one
  // copy of `buffer`: the threads of a block share a "shared" buffer, every
  // thread of the grid a "global" one. One iteration of the loop must then
  // provide what all of those threads read (TVM relaxes them alike), and the
  // threads fetch it together once the block's own loops are bound to the
  // same axes.
  ir::arith::VarRangeMap thread_loops_sharing(const ir::Buffer& buffer) const {
    ir::arith::VarRangeMap out;
    const bool shared = buffer->scope == "shared", global = buffer->scope == "global";
    if (!shared && !global) return out;
    for (const Stmt& s : loop_path_) {
      const auto* f = s.as<ir::ForNode>();
      if (!f || f->for_kind != ir::ForKind::kThreadBinding) continue;
      const bool in_block =
          f->thread_tag.rfind("threadIdx", 0) == 0 || f->thread_tag.rfind("vthread", 0) == 0;
      if (global || in_block) out[f->loop_var] = ir::Range{f->min, f->extent};
    }
    return out;
  }

  // The regions of `realize` on `buffers`, relaxed over the loops inside the
  // loop: what it touches in one iteration of the loop.
  std::map<const ir::BufferNode*, Box> relaxed_regions(const Stmt& realize,
                                                       const std::vector<ir::BufferRegion>& regions,
                                                       const BufferSet& buffers) const {
    ir::arith::VarRangeMap inner = inner_loops(realize);
    ir::arith::Analyzer a = analyzer_with(inner);
    ir::VarMap binding = bindings_of(realize);
    std::map<const ir::BufferNode*, Box> out;
    for (const ir::BufferRegion& r : regions) {
      if (!buffers.count(r.buffer.get())) continue;
      ir::arith::VarRangeMap relaxed = inner;
      for (const auto& [var, range] : thread_loops_sharing(r.buffer)) relaxed[var] = range;
      Box box;
      for (const ir::Range& range : r.region) {
        Expr lo = ir::substitute(range.min, binding);
        Expr hi = ir::substitute(range.min + range.extent - 1, binding);
        box.push_back({relax_index(lo, relaxed, a).min, relax_index(hi, relaxed, a).max});
      }
      unite(&out, r.buffer.get(), box);
    }
    return out;
  }

  void unite(std::map<const ir::BufferNode*, Box>* boxes, const ir::BufferNode* buffer,
             const Box& box) const {
    auto [it, inserted] = boxes->try_emplace(buffer, box);
    if (inserted) return;
    for (size_t d = 0; d < box.size(); ++d)
      it->second[d] = interval_union(it->second[d], box[d], analyzer_);
  }

  bool contains(const Box& outer, const Box& inner) const {
    for (size_t d = 0; d < outer.size(); ++d) {
      const IndexInterval &o = outer[d], &i = inner[d];
      if (!o.min.defined() || !o.max.defined() || !i.min.defined() || !i.max.defined())
        return false;
      if (!analyzer_.can_prove(ir::le(o.min, i.min)) || !analyzer_.can_prove(ir::le(i.max, o.max)))
        return false;
    }
    return true;
  }

  // Step 4. The region the dependents need (compute_at: what the consumers
  // read) or provide (reverse_compute_at: what the producers write) in one
  // iteration of the loop.
  void compute_required_regions() {
    for (const Stmt& d : dependents_) {
      if (is_compute_at_) {
        for (const auto& [buffer, box] : relaxed_regions(d, block_of(d).reads, outputs_))
          unite(&required_, buffer, box);
      } else {
        for (const auto& [buffer, box] : final_write_boxes(d))
          if (inputs_.count(buffer)) {
            unite(&required_, buffer, box);
            producer_boxes_[buffer].push_back(box);
          }
      }
    }
  }

  // What producer `w` (under the loop) writes in one iteration of the loop,
  // exactly, checking that these values are final there: nothing later in
  // the loop changes them. Throws when that cannot be shown.
  const std::map<const ir::BufferNode*, Box>& final_write_boxes(const Stmt& w) {
    auto memo = final_boxes_.find(w.get());
    if (memo != final_boxes_.end()) return memo->second;
    const auto* realize = w.as<ir::BlockRealizeNode>();
    const ir::BlockNode& block = *realize->block;
    const std::string who = "producer block \"" + block.name + "\"";
    const std::string loop_name = "loop `" + loop_node()->loop_var.name() + "`";
    check_recomputable(w, block.name, "producer ");
    ir::arith::VarRangeMap inner = inner_loops(w);
    ir::arith::Analyzer a = analyzer_with(inner);
    if (!a.can_prove(realize->predicate))
      fail(who + " runs under a predicate, so what it writes in one iteration of " + loop_name +
               " is not known to be a box",
           "Move the block under a loop whose producers' loops divide evenly");
    // Each iter var takes, in one iteration, the values [fixed, fixed + count)
    // when its binding is (an expression of the fixed loops) plus a dense
    // mixed-radix number of distinct inner loops.
    std::unordered_map<const ir::VarNode*, std::pair<Expr, int64_t>> ranges;
    std::unordered_set<const ir::VarNode*> used_inner;
    for (size_t i = 0; i < block.iter_vars.size(); ++i) {
      const ir::IterVar& iv = block.iter_vars[i];
      ir::arith::LinearForm form =
          ir::arith::LinearForm::from_expr(a.simplify(realize->iter_values[i]));
      ir::arith::LinearForm fixed(form.base());
      std::vector<std::pair<int64_t, int64_t>> digits;  // (coef, extent) of inner loops
      for (const ir::arith::LinearTerm& t : form.terms()) {
        const auto* var = t.atom.as<ir::VarNode>();
        auto it = var ? inner.find(ir::Var::from_expr(t.atom)) : inner.end();
        if (it == inner.end()) {
          for (const auto& [v, range] : inner)
            if (uses_var(t.atom, v))
              fail("the binding of `" + iv.var.name() + "` in " + who +
                       " is not a sum of loops inside " + loop_name,
                   "Move the block under a loop whose producers are tiled by split, not fused");
          fixed.add_term(t.atom, t.coef);
          continue;
        }
        const int64_t* extent = ir::as_const_int(it->second.extent);
        if (!ir::is_const_int(it->second.min, 0) || !extent || t.coef < 1 ||
            !used_inner.insert(var).second)
          fail("the binding of `" + iv.var.name() + "` in " + who +
                   " does not give each iteration of its loops inside " + loop_name +
                   " its own value",
               "Move the block under a loop whose producers are tiled by split, not fused");
        if (*extent > 1) digits.emplace_back(t.coef, *extent);
      }
      std::sort(digits.begin(), digits.end());
      int64_t count = 1;
      for (const auto& [coef, extent] : digits) {
        if (coef != count)
          fail("the binding of `" + iv.var.name() + "` in " + who +
                   " skips values inside one iteration of " + loop_name,
               "Move the block under a loop whose producers' loops cover a dense tile");
        count *= extent;
      }
      if (iv.kind == ir::IterKind::kReduction && !fixed.is_const())
        fail(who + " reduces over `" + iv.var.name() + "` across iterations of " + loop_name +
                 ", so its output is final only after the loop",
             "Move the block under a loop inside which the whole reduction runs");
      ranges[iv.var.get()] = {a.simplify(fixed.to_expr(iv.var.dtype())), count};
    }
    // Its inputs written under the loop must be final too, and hold what it reads.
    for (const auto& [buffer, read_box] :
         relaxed_regions(w, block.reads, buffers_of(block.reads))) {
      for (const Stmt& u : scope_blocks_) {
        if (u.same_as(w) || !first_touched(block_of(u).writes, {buffer})) continue;
        auto pos = position_under_loop_.find(u.get());
        if (pos == position_under_loop_.end()) continue;
        if (program_order_.at(u.get()) > program_order_.at(w.get()) ||
            !covered_by(read_box, final_write_boxes(u), buffer))
          fail(who + " reads " + quoted(buffer) + " in one iteration of " + loop_name +
                   " beyond what block \"" + block_of(u).name + "\" has written there",
               "Its values are final only after the loop; move the block to an outer loop");
      }
    }
    // The written box: each dimension a point or tile of one iter var.
    std::map<const ir::BufferNode*, Box> boxes;
    for (const ir::BufferRegion& region : block.writes) {
      Box box;
      std::unordered_set<const ir::VarNode*> seen;
      for (const ir::Range& r : region.region) {
        if (ir::as_const_int(r.min) && ir::as_const_int(r.extent)) {
          box.push_back({r.min, a.simplify(r.min + r.extent - 1)});
          continue;
        }
        std::optional<SingleVarDim> dim = single_var_dim(r, block);
        const auto& [fixed, count] = dim ? ranges.at(dim->var.get()) : std::pair<Expr, int64_t>{};
        if (!dim ||
            (count > 1 && (dim->scale > dim->extent || !seen.insert(dim->var.get()).second)))
          fail(
              who + " writes " + quoted(region.buffer.get()) + " at indices that do not form a box",
              "Move the block under a loop of a producer that writes whole points or tiles");
        Expr lo = fixed * ir::int_imm(fixed.dtype(), dim->scale) +
                  ir::int_imm(fixed.dtype(), dim->offset);
        Expr hi = lo + ir::int_imm(fixed.dtype(), dim->scale * (count - 1) + dim->extent - 1);
        box.push_back({analyzer_.simplify(lo), analyzer_.simplify(hi)});
      }
      unite(&boxes, region.buffer.get(), box);
    }
    return final_boxes_[w.get()] = std::move(boxes);
  }

  bool covered_by(const Box& box, const std::map<const ir::BufferNode*, Box>& written,
                  const ir::BufferNode* buffer) const {
    auto it = written.find(buffer);
    return it != written.end() && contains(it->second, box);
  }

  // Step 5. The moved block's new domain: for each iter var that indexes a
  // provided region ([a*v + b, a*v + b + e - 1]), the values whose points
  // meet the required region, within the var's domain. Other vars keep their
  // whole domain (computing more than needed is harmless).
  void compute_domain() {
    const ir::BlockNode& block = block_of(block_);
    std::unordered_map<const ir::VarNode*, IndexInterval> needed;
    for (const ir::BufferRegion& region : is_compute_at_ ? block.writes : block.reads) {
      auto req = required_.find(region.buffer.get());
      if (req == required_.end()) continue;
      for (size_t d = 0; d < region.region.size(); ++d) {
        std::optional<SingleVarDim> dim = single_var_dim(region.region[d], block);
        if (!dim) continue;
        const IndexInterval& r = req->second[d];
        const ir::DataType t = dim->var.dtype();
        auto solve = [&](const Expr& x, int64_t shift) {
          if (!x.defined()) return Expr();
          Expr e = x - ir::int_imm(t, dim->offset + shift);
          return analyzer_.simplify(dim->scale == 1 ? e
                                                    : ir::floordiv(e, ir::int_imm(t, dim->scale)));
        };
        IndexInterval values{solve(r.min, dim->extent - dim->scale), solve(r.max, 0)};
        auto [it, inserted] = needed.try_emplace(dim->var.get(), values);
        if (!inserted) it->second = interval_union(it->second, values, analyzer_);
      }
    }
    for (const ir::IterVar& iv : block.iter_vars) {
      const ir::DataType t = iv.var.dtype();
      const int64_t* dom_min = ir::as_const_int(iv.dom.min);
      const int64_t* dom_extent = ir::as_const_int(iv.dom.extent);
      if (!dom_min || !dom_extent)
        fail("block \"" + block_name() + "\" has the iter var `" + iv.var.name() +
                 "` with a non-constant domain",
             "Only blocks with constant iter var domains can be moved");
      NewIter it{iv.dom.min, *dom_extent, false};
      auto n = needed.find(iv.var.get());
      if (n != needed.end()) {
        const IndexInterval& v = n->second;
        if (v.min.defined()) it.min = analyzer_.simplify(ir::max(v.min, iv.dom.min));
        int64_t extent = *dom_extent;
        if (v.min.defined() && v.max.defined()) {
          ir::arith::ConstIntBound b = analyzer_.const_int_bound(v.max - v.min + 1);
          if (b.has_max()) extent = std::clamp<int64_t>(b.max, 1, *dom_extent);
        }
        it.extent = extent;
        it.guarded = !analyzer_.can_prove(
            ir::lt(it.min + ir::int_imm(t, extent - 1), ir::int_imm(t, *dom_min + *dom_extent)));
      }
      if (!is_compute_at_ && iv.kind == ir::IterKind::kReduction &&
          (it.extent != *dom_extent || !analyzer_.can_prove_equal(it.min, iv.dom.min)))
        fail("block \"" + block_name() + "\" would run only part of its reduction over `" +
                 iv.var.name() + "` in each iteration of loop `" + loop_node()->loop_var.name() +
                 "`",
             "reverse_compute_at a reduction under a loop whose every iteration produces all it "
             "reduces over");
      new_iters_.push_back(it);
    }
    // The new loops, bindings and predicate.
    Expr predicate;
    for (size_t i = 0; i < new_iters_.size(); ++i) {
      const ir::IterVar& iv = block.iter_vars[i];
      NewIter& it = new_iters_[i];
      Expr binding = it.min;
      if (preserve_unit_loops_ || it.extent != 1) {
        it.loop_var = ir::Var("ax" + std::to_string(new_loops_.size()), iv.var.dtype());
        new_loops_.push_back(i);
        analyzer_.bind(it.loop_var, ir::Range{ir::int_imm(iv.var.dtype(), 0),
                                              ir::int_imm(iv.var.dtype(), it.extent)});
        binding = analyzer_.simplify(it.min + it.loop_var);
      }
      bindings_.push_back(binding);
      if (it.guarded) {
        Expr in_domain = ir::lt(binding, iv.dom.min + iv.dom.extent);
        predicate = predicate.defined() ? ir::logical_and(predicate, in_domain) : in_domain;
      }
    }
    predicate_ =
        predicate.defined() ? analyzer_.simplify(predicate) : ir::int_imm(ir::DataType::Bool(), 1);
  }

  // Step 6 (reverse_compute_at). The block still runs every point of its
  // domain, and reads in each iteration only what its producers have just
  // written there.
  void check_reverse_coverage() {
    const ir::BlockNode& block = block_of(block_);
    const std::string loop_name = "loop `" + loop_node()->loop_var.name() + "`";
    ir::arith::VarRangeMap dom;
    for (const Stmt& s : outer_loops_) {
      const auto* f = s.as<ir::ForNode>();
      dom[f->loop_var] = ir::Range{f->min, f->extent};
    }
    for (size_t i : new_loops_) {
      const ir::DataType t = block.iter_vars[i].var.dtype();
      dom[new_iters_[i].loop_var] =
          ir::Range{ir::int_imm(t, 0), ir::int_imm(t, new_iters_[i].extent)};
    }
    ir::arith::VarRangeMap moved_loops;
    ir::VarMap binding;
    for (size_t i = 0; i < bindings_.size(); ++i) binding[block.iter_vars[i].var] = bindings_[i];
    for (size_t i : new_loops_)
      moved_loops[new_iters_[i].loop_var] = dom.at(new_iters_[i].loop_var);
    for (const ir::BufferRegion& r : block.reads) {
      auto boxes = producer_boxes_.find(r.buffer.get());
      if (boxes == producer_boxes_.end()) continue;
      Box read;
      for (const ir::Range& range : r.region) {
        Expr lo = ir::substitute(range.min, binding),
             hi = ir::substitute(range.min + range.extent - 1, binding);
        read.push_back({relax_index(lo, moved_loops, analyzer_).min,
                        relax_index(hi, moved_loops, analyzer_).max});
      }
      if (std::none_of(boxes->second.begin(), boxes->second.end(),
                       [&](const Box& b) { return contains(b, read); }))
        fail("in one iteration of " + loop_name + ", block \"" + block_name() +
                 "\" would read more of " + quoted(r.buffer.get()) +
                 " than its producer has written there",
             "reverse_compute_at under a loop whose producer writes everything the block reads "
             "from it");
    }
    ir::arith::IterMapResult m = ir::arith::detect_iter_map(bindings_, dom, predicate_,
                                                            ir::arith::IterMapLevel::kSurjective);
    for (size_t i = 0; m.ok && i < bindings_.size(); ++i) {
      const ir::arith::IterSum& sum = m.indices[i];
      const ir::IterVar& iv = block.iter_vars[i];
      const int64_t dom_min = *ir::as_const_int(iv.dom.min),
                    dom_extent = *ir::as_const_int(iv.dom.extent);
      const bool covers = sum.base == dom_min &&
                          (sum.args.empty() ? dom_extent == 1
                                            : sum.args.size() == 1 && sum.args[0].scale == 1 &&
                                                  sum.args[0].extent == dom_extent);
      if (!covers) {
        m.ok = false;
        m.error = "`" + iv.var.name() + "` would not take every value of its domain";
      }
    }
    if (!m.ok)
      fail("under " + loop_name + ", block \"" + block_name() +
               "\" would not run every point of its domain (" + m.error + ")",
           "reverse_compute_at under a loop whose producers write disjoint, affine tiles");
  }

  // Step 7. The new nest under the loop, and the block's old nest removed.
  ir::PrimFunc rebuild() const {
    const ir::BlockNode& block = block_of(block_);
    Stmt nest = ir::block_realize(bindings_, predicate_, block_.as<ir::BlockRealizeNode>()->block);
    for (size_t k = new_loops_.size(); k-- > 0;) {
      const NewIter& it = new_iters_[new_loops_[k]];
      const ir::DataType t = block.iter_vars[new_loops_[k]].var.dtype();
      nest = ir::for_loop(it.loop_var, ir::int_imm(t, 0), ir::int_imm(t, it.extent),
                          ir::ForKind::kSerial, nest);
    }
    std::vector<Stmt> children = body_children_;
    children.insert(children.begin() + insert_position_, nest);
    const ir::ForNode* l = loop_node();
    Stmt new_loop = ir::for_loop(l->loop_var, l->min, l->extent, l->for_kind,
                                 ir::seq(std::move(children)), l->thread_tag, l->annotations);
    // The old nest: the block and the loops that hold nothing else.
    size_t t = block_path_.size() - 1;
    while (t > 0) {
      const auto* f = block_path_[t - 1].as<ir::ForNode>();
      if (!f || !f->body.same_as(block_path_[t])) break;
      --t;
    }
    if (block_path_[t - 1].kind() != ir::StmtKind::kSeq)
      fail("the loop nest of block \"" + block_name() + "\" is not part of a statement sequence",
           "Only loop nests in a sequence of statements can be moved");
    ir::PrimFunc moved = replace_stmt(func_, loop_.get(), new_loop);
    return replace_stmt(moved, block_path_[t].get(), Stmt());
  }

  struct NewIter {
    Expr min;
    int64_t extent;
    bool guarded;  // needs `binding < domain end` in the predicate
    ir::Var loop_var = ir::Var();
  };

  const char* primitive_;
  const bool is_compute_at_;
  const ir::PrimFunc& func_;
  const Stmt block_, loop_;
  const bool preserve_unit_loops_;
  const int64_t index_;

  std::vector<Stmt> block_path_, loop_path_;
  size_t scope_depth_ = 0;
  std::vector<Stmt> scope_blocks_, crossed_, body_children_, outer_loops_, dependents_;
  std::unordered_map<const ir::StmtNode*, size_t> program_order_;
  std::unordered_map<const ir::StmtNode*, int> position_under_loop_;
  ir::arith::Analyzer analyzer_;
  BufferSet inputs_, outputs_;
  int insert_position_ = 0;
  std::map<const ir::BufferNode*, Box> required_;
  std::map<const ir::BufferNode*, std::vector<Box>> producer_boxes_;
  std::unordered_map<const ir::StmtNode*, std::map<const ir::BufferNode*, Box>> final_boxes_;
  std::vector<NewIter> new_iters_;
  std::vector<size_t> new_loops_;  // indices of the iter vars that get a loop
  std::vector<Expr> bindings_;
  Expr predicate_;
};

// The special locations: compute_at with them keeps the block where it is
// ("root") or inlines it ("inline"), as TVM's RootMark and InlineMark.
constexpr int64_t kRootLocation = -1;
constexpr int64_t kInlineLocation = -2;

// Applies an inlining instruction kind ("compute_inline",
// "reverse_compute_inline") to a copy of `sch`, so that its record does not
// enter this schedule's trace; returns the inlined function. The kinds are
// found in the registry, so compute location does not depend on the inlining
// family at link time.
ir::PrimFunc inlined(const Schedule& sch, const char* primitive, const char* kind_name,
                     BlockRV block) {
  const InstructionKind* kind = find_instruction_kind(kind_name);
  if (!kind)
    throw ScheduleError(primitive,
                        std::string("the location is \"inline\" but no ") + kind_name +
                            " instruction is registered",
                        "Link the inlining primitives, or use a loop or the root location");
  Schedule trial = sch;  // a throwaway trial: sharing the stream is harmless
  trial.set_error_render_level(ErrorRenderLevel::kFast);
  kind->apply(trial, {RV(block)}, {}, std::nullopt);
  return trial.func();
}

}  // namespace

const ir::Var& Schedule::compute_root_mark() {
  static const ir::Var mark("compute_root");
  return mark;
}

const ir::Var& Schedule::compute_inline_mark() {
  static const ir::Var mark("compute_inline");
  return mark;
}

void Schedule::compute_at(BlockRV block, LoopRV loop, bool preserve_unit_loops, int index) {
  guard([&] {
    // Step 1. The special locations of sample_compute_location.
    const ir::Var location = loop_var(loop);
    Stmt realize = block_stmt(block);
    if (location.same_as(compute_inline_mark())) {
      set_func(inlined(*this, "compute_at", "compute_inline", block));
    } else if (!location.same_as(compute_root_mark())) {
      // Step 2. Check, plan and build the move.
      set_func(ComputeLocationMove("compute_at", true, func_, realize, loop_stmt(loop),
                                   preserve_unit_loops, index)
                   .run());
    }
    record("compute_at", {block, loop}, {int64_t{preserve_unit_loops}, int64_t{index}}, {});
  });
}

void Schedule::reverse_compute_at(BlockRV block, LoopRV loop, bool preserve_unit_loops, int index) {
  guard([&] {
    const ir::Var location = loop_var(loop);
    Stmt realize = block_stmt(block);
    if (location.same_as(compute_inline_mark())) {
      set_func(inlined(*this, "reverse_compute_at", "reverse_compute_inline", block));
    } else if (!location.same_as(compute_root_mark())) {
      set_func(ComputeLocationMove("reverse_compute_at", false, func_, realize, loop_stmt(loop),
                                   preserve_unit_loops, index)
                   .run());
    }
    record("reverse_compute_at", {block, loop}, {int64_t{preserve_unit_loops}, int64_t{index}}, {});
  });
}

namespace {

// The compute locations of a block, as TVM numbers them: -2 inline (when
// legal), -1 root, and i for the i-th loop of the block's first consumer (as
// get_loops lists them) that encloses every consumer, where compute_at is
// legal.
class ComputeLocations {
 public:
  ComputeLocations(Schedule& sch, BlockRV block) : sch_(sch), block_(block) {
    realize_ = sch.block_stmt(block);
    const BufferSet outputs = buffers_of(block_of(realize_).writes);
    std::vector<std::vector<Stmt>> consumer_paths;
    Stmt scope = enclosing_block(sch.func(), realize_.get());
    for (const Stmt& s : child_blocks(scope.defined() ? scope : sch.func()->body))
      if (!s.same_as(realize_) && first_touched(block_of(s).reads, outputs))
        consumer_paths.push_back(path_to(sch.func(), s.get()));
    if (consumer_paths.empty()) return;
    for (const Stmt& s : consumer_paths.front()) {
      if (!s.as<ir::ForNode>()) continue;
      const bool encloses_all =
          std::all_of(consumer_paths.begin(), consumer_paths.end(), [&](const auto& path) {
            return std::any_of(path.begin(), path.end(), [&](const Stmt& p) { return p.same_as(s); });
          });
      if (!encloses_all) break;
      loops_.push_back(s);
    }
  }

  // The loop variable of location `index` (or a mark), when it is legal.
  std::optional<ir::Var> legal(int64_t index) const {
    if (index == kRootLocation) return Schedule::compute_root_mark();
    if (index == kInlineLocation) {
      const InstructionKind* inline_kind = find_instruction_kind("compute_inline");
      if (!inline_kind) return std::nullopt;
      Schedule trial = sch_;  // a throwaway trial: sharing the stream is harmless
      trial.set_error_render_level(ErrorRenderLevel::kFast);
      try {
        inline_kind->apply(trial, {RV(block_)}, {}, std::nullopt);
        return Schedule::compute_inline_mark();
      } catch (const ScheduleError&) {
        return std::nullopt;  // not inlinable
      }
    }
    if (index < 0 || index >= static_cast<int64_t>(loops_.size())) return std::nullopt;
    const Stmt& loop = loops_[index];
    const auto* f = loop.as<ir::ForNode>();
    if (f->for_kind == ir::ForKind::kThreadBinding) return std::nullopt;
    try {
      ComputeLocationMove("compute_at", true, sch_.func(), realize_, loop, true, -1).check();
      return f->loop_var;
    } catch (const ScheduleError&) {
      return std::nullopt;  // not a legal location
    }
  }

  // Every legal location, in order, with its variable.
  std::vector<std::pair<int64_t, ir::Var>> all() const {
    std::vector<std::pair<int64_t, ir::Var>> out;
    for (int64_t i = kInlineLocation; i < static_cast<int64_t>(loops_.size()); ++i)
      if (std::optional<ir::Var> v = legal(i)) out.emplace_back(i, *v);
    return out;
  }

 private:
  Schedule& sch_;
  BlockRV block_;
  Stmt realize_;
  std::vector<Stmt> loops_;
};

}  // namespace

std::vector<int64_t> Schedule::compute_location_candidates(BlockRV block) {
  return guard([&] {
    std::vector<int64_t> out;
    for (const auto& [index, var] : ComputeLocations(*this, block).all()) out.push_back(index);
    return out;
  });
}

LoopRV Schedule::sample_compute_location(BlockRV block, std::optional<int64_t> decision) {
  return guard([&] {
    const ComputeLocations locations(*this, block);
    // A decision that is still legal is kept without looking at the others
    // (the search replays given decisions far more often than it samples);
    // otherwise a legal location is drawn.
    int64_t chosen = decision.value_or(kRootLocation);
    std::optional<ir::Var> var = decision ? locations.legal(*decision) : std::nullopt;
    if (!var) {
      const auto all = locations.all();
      const auto& pick =
          all[static_cast<size_t>(random_engine().uniform_int(static_cast<int64_t>(all.size())))];
      chosen = pick.first;
      var = pick.second;
    }
    LoopRV out = add_loop(*var);
    record("sample_compute_location", {block}, {}, {out}, chosen);
    return out;
  });
}

namespace {

std::string compute_at_python(const char* name, const std::vector<std::string>& in,
                              const std::vector<Attr>& attrs) {
  return std::string("sch.") + name + "(" + in.at(0) + ", " + in.at(1) +
         ", preserve_unit_loops=" + (attr_as<int64_t>(attrs, 0) ? "True" : "False") +
         ", index=" + std::to_string(attr_as<int64_t>(attrs, 1)) + ")";
}

}  // namespace

void register_compute_at_instructions() {
  register_instruction_kind(
      {"compute_at",
       false,
       false,
       {"preserve_unit_loops", "index"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         sch.compute_at(input_block(in, 0), input_loop(in, 1), attr_as<int64_t>(attrs, 0) != 0,
                        static_cast<int>(attr_as<int64_t>(attrs, 1)));
         return std::vector<RV>{};
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) { return compute_at_python("compute_at", in, attrs); }});
  register_instruction_kind({"reverse_compute_at",
                             false,
                             false,
                             {"preserve_unit_loops", "index"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>&) {
                               sch.reverse_compute_at(input_block(in, 0), input_loop(in, 1),
                                                      attr_as<int64_t>(attrs, 0) != 0,
                                                      static_cast<int>(attr_as<int64_t>(attrs, 1)));
                               return std::vector<RV>{};
                             },
                             [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
                                const std::optional<Decision>&) {
                               return compute_at_python("reverse_compute_at", in, attrs);
                             }});
  register_instruction_kind({"sample_compute_location",
                             false,
                             true,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>& d) {
                               std::optional<int64_t> location;
                               if (d && std::holds_alternative<int64_t>(*d))
                                 location = std::get<int64_t>(*d);
                               return std::vector<RV>{
                                   sch.sample_compute_location(input_block(in, 0), location)};
                             },
                             nullptr});
}

}  // namespace kiln::sched
