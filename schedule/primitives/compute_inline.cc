// compute_inline and reverse_compute_inline: folding an elementwise block into
// its consumers, or an elementwise consumer into its producer, so that the
// intermediate buffer between them disappears.
//
//   compute_inline(B):          B[v] = f(v);  C[..] = h(B[i])   ->  C[..] = h(f(i))
//   reverse_compute_inline(C):  B[u] = f(u);  C[g(v)] = h(B[v]) ->  C[g(u)] = h(f(u))
//
// Both move a computation in time: the inlined expression reads its inputs
// when the block it lands in runs. Legality is therefore decided from the
// dataflow between blocks (declared read and write regions) and the program
// order of their instances, never from what the bodies compute.
#include <algorithm>

#include "ir/arith/expr_equal.h"
#include "ir/arith/iter_map.h"
#include "ir/arith/linear_form.h"
#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"
#include "schedule/block_analysis.h"
#include "schedule/buffer_stage.h"
#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

using ir::Buffer;
using ir::BufferRegion;
using ir::Expr;
using ir::Range;
using ir::Stmt;

std::string quoted(const std::string& block_name) { return "block \"" + block_name + "\""; }

// ---------------------------------------------------------------------------
// Dataflow between leaf blocks.

// A block without blocks inside: where it sits among the others.
struct LeafBlock {
  const ir::BlockNode* block;
  // Position in program order (pre-order over all blocks).
  size_t order;
  // The outermost loop above it, across block boundaries; null when none.
  const ir::ForNode* outermost_loop;
  // The nearest block above it (its scope).
  const ir::BlockRealizeNode* scope;
  bool reads(const Buffer& b) const { return region_has(block->reads, b); }
  bool writes(const Buffer& b) const { return region_has(block->writes, b); }
};

// True when every instance of `a` runs before any instance of `b`: `a` comes
// first in program order and no loop repeats them in alternation.
bool runs_entirely_before(const LeafBlock& a, const LeafBlock& b) {
  return a.order < b.order && (a.outermost_loop == nullptr || a.outermost_loop != b.outermost_loop);
}

class LeafBlockCollector : public ir::IRVisitor {
 public:
  explicit LeafBlockCollector(const ir::PrimFunc& func)
      : root_(func->body.as<ir::BlockRealizeNode>()) {
    visit(func->body);
  }
  std::vector<LeafBlock> leaves;

  const LeafBlock& leaf(const ir::BlockNode* block) const {
    return *std::find_if(leaves.begin(), leaves.end(),
                         [&](const LeafBlock& l) { return l.block == block; });
  }

 protected:
  void visit_for(const ir::ForNode* op) override {
    loops_.push_back(op);
    IRVisitor::visit_for(op);
    loops_.pop_back();
  }
  void visit_block_realize(const ir::BlockRealizeNode* op) override {
    const size_t order = next_order_++;
    const ir::BlockRealizeNode* scope = scopes_.empty() ? nullptr : scopes_.back();
    scopes_.push_back(op);
    IRVisitor::visit_block_realize(op);
    scopes_.pop_back();
    const bool is_leaf = next_order_ == order + 1;
    if (op != root_ && is_leaf)
      leaves.push_back({op->block.get(), order, loops_.empty() ? nullptr : loops_.front(), scope});
  }

 private:
  const ir::BlockRealizeNode* root_;
  std::vector<const ir::ForNode*> loops_;
  std::vector<const ir::BlockRealizeNode*> scopes_;
  size_t next_order_ = 0;
};

// ---------------------------------------------------------------------------
// Shape checks.

class LoadCollector : public ir::IRVisitor {
 public:
  explicit LoadCollector(Buffer buffer) : buffer_(std::move(buffer)) {}
  std::vector<const ir::BufferLoadNode*> loads;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    if (op->buffer == buffer_) loads.push_back(op);
    IRVisitor::visit_buffer_load(op);
  }

 private:
  Buffer buffer_;
};

std::vector<const ir::BufferLoadNode*> loads_of(const Buffer& buffer,
                                                const ir::BufferStoreNode& store) {
  LoadCollector collector(buffer);
  collector.visit(store.value);
  for (const Expr& index : store.indices) collector.visit(index);
  return std::move(collector.loads);
}

// The block's single BufferStore after checking that the block is a spatial
// leaf computing one buffer: no init, no reduction iter var, a body that is
// one store to the one buffer it declares writing.
const ir::BufferStoreNode& spatial_store(const std::string& primitive, const ir::BlockNode& block,
                                         const std::string& hint) {
  const std::string where = quoted(block.name);
  if (block.init.defined())
    throw ScheduleError(primitive, where + " has an init statement: it is a reduction", hint, {},
                        block.name);
  for (const ir::IterVar& iv : block.iter_vars)
    if (iv.kind == ir::IterKind::kReduction)
      throw ScheduleError(primitive, where + " has the reduction iter var `" + iv.var.name() + "`",
                          hint, {}, block.name);
  const auto* store = block.body.as<ir::BufferStoreNode>();
  if (!store)
    throw ScheduleError(primitive,
                        where + " is not a leaf block whose body is a single buffer store", hint,
                        {}, block.name);
  if (block.writes.size() != 1 || block.writes[0].buffer != store->buffer)
    throw ScheduleError(
        primitive,
        where + " must write exactly the buffer `" + store->buffer->name + "` it stores to", hint,
        {}, block.name);
  return *store;
}

// The iter vars that index each dimension of `indices`, after checking that
// each index is an iter var of `block` and that no iter var is used twice.
std::vector<ir::Var> index_iter_vars(const std::string& primitive, const ir::BlockNode& block,
                                     const std::vector<Expr>& indices, const std::string& what,
                                     const std::string& hint) {
  std::vector<ir::Var> vars;
  for (const Expr& index : indices) {
    const auto* v = index.as<ir::VarNode>();
    const bool is_iter_var =
        v && std::any_of(block.iter_vars.begin(), block.iter_vars.end(),
                         [&](const ir::IterVar& iv) { return iv.var.get() == v; });
    const bool repeated = v && std::any_of(vars.begin(), vars.end(),
                                           [&](const ir::Var& seen) { return seen.get() == v; });
    if (!is_iter_var || repeated)
      throw ScheduleError(primitive,
                          quoted(block.name) + " " + what +
                              " with indices that are not distinct iter vars of the block",
                          hint, {}, block.name);
    vars.push_back(ir::Var::from_expr(index));
  }
  return vars;
}

// The store of an elementwise block: `B[v0, v1, ...] = f(v0, v1, ...)` with
// distinct iter vars as indices and no other iter var in the value, so that
// the value of each element is a function of the element's position.
const ir::BufferStoreNode& elementwise_store(const std::string& primitive,
                                             const ir::BlockNode& block, const std::string& hint) {
  const ir::BufferStoreNode& store = spatial_store(primitive, block, hint);
  std::vector<ir::Var> vars = index_iter_vars(primitive, block, store.indices, "stores", hint);
  for (const ir::IterVar& iv : block.iter_vars) {
    if (std::find(vars.begin(), vars.end(), iv.var) == vars.end() && uses_var(store.value, iv.var))
      throw ScheduleError(primitive,
                          quoted(block.name) + " computes a value from iter var `" + iv.var.name() +
                              "`, which does not index the stored element",
                          hint, {}, block.name);
  }
  if (!loads_of(store.buffer, store).empty())
    throw ScheduleError(
        primitive, quoted(block.name) + " reads the buffer `" + store.buffer->name + "` it writes",
        hint, {}, block.name);
  return store;
}

// The statement to delete to remove `realize` with the loops that only hold
// it; throws when that would leave the enclosing block with an empty body.
Stmt removal_root(const std::string& primitive, const ir::PrimFunc& func, const Stmt& realize) {
  std::vector<Stmt> path = path_to(func, realize.get());
  size_t i = path.size() - 1;
  while (i > 0 && path[i - 1].kind() == ir::StmtKind::kFor) --i;
  if (i == 0 || path[i - 1].kind() != ir::StmtKind::kSeq) {
    const std::string& name = realize.as<ir::BlockRealizeNode>()->block->name;
    throw ScheduleError(
        primitive, quoted(name) + " is the only block in its scope: removing it leaves nothing",
        "Inline only into a scope that keeps another block", {}, name);
  }
  return path[i];
}

// ---------------------------------------------------------------------------
// Regions.

// The smallest range covering `a` and `b`.
Range cover(const Range& a, const Range& b) {
  if (ir::arith::same_expr(a.min, b.min) && ir::arith::same_expr(a.extent, b.extent)) return a;
  const Expr offset = ir::arith::simplify(b.min - a.min);
  const int64_t* shift = ir::as_const_int(offset);
  const int64_t* extent_a = ir::as_const_int(a.extent);
  const int64_t* extent_b = ir::as_const_int(b.extent);
  if (shift && extent_a && extent_b) {
    const int64_t low = std::min<int64_t>(0, *shift),
                  high = std::max(*extent_a, *shift + *extent_b);
    return {*shift < 0 ? b.min : a.min, ir::int_imm(a.extent.dtype(), high - low)};
  }
  const Expr low = ir::arith::simplify(ir::min(a.min, b.min));
  return {low, ir::arith::simplify(ir::max(a.min + a.extent, b.min + b.extent) - low)};
}

// Appends `region` to `regions`, covering it with an existing region of the
// same buffer when there is one.
void add_covering(std::vector<BufferRegion>* regions, const BufferRegion& region) {
  for (BufferRegion& existing : *regions) {
    if (existing.buffer != region.buffer) continue;
    for (size_t d = 0; d < existing.region.size(); ++d)
      existing.region[d] = cover(existing.region[d], region.region[d]);
    return;
  }
  regions->push_back(region);
}

// The part of `read` (a region in terms of the iter vars of `ranges`) read
// while each iter var runs over its range. A dimension that is not affine in
// the iter vars with a varying range becomes the whole dimension.
BufferRegion relax_region(const BufferRegion& read,
                          const std::vector<std::pair<ir::Var, Range>>& ranges) {
  BufferRegion out{read.buffer, {}};
  for (size_t d = 0; d < read.region.size(); ++d) {
    const Range& r = read.region[d];
    ir::VarMap low_map, high_map;
    bool affine = true;
    const ir::arith::LinearForm form = ir::arith::LinearForm::from_expr(r.min);
    for (const auto& [var, range] : ranges) {
      low_map[var] = range.min;
      high_map[var] = range.min;
      if (is_const_int(range.extent, 1)) continue;
      const Expr last = range.min + range.extent - 1;
      int64_t coef = 0;
      for (const ir::arith::LinearTerm& term : form.terms()) {
        if (term.atom.same_as(var))
          coef = term.coef;
        else if (uses_var(term.atom, var))
          affine = false;
      }
      affine = affine && !uses_var(r.extent, var);
      (coef < 0 ? low_map : high_map)[var] = last;
    }
    if (!affine) {
      out.region.push_back({ir::make_zero(r.min.dtype()), read.buffer->shape[d]});
      continue;
    }
    const Expr low = ir::arith::simplify(ir::substitute(r.min, low_map));
    const Expr high = ir::arith::simplify(ir::substitute(r.min, high_map));
    const Expr extent = ir::substitute(r.extent, low_map);
    out.region.push_back(
        {low, ir::arith::simplify(ir::arith::same_expr(low, high) ? extent : high - low + extent)});
  }
  return out;
}

// ---------------------------------------------------------------------------
// Rewriters.

// compute_inline's rewrite: every load of the inlined buffer becomes the
// producer's value at the load's indices; every block that declared reading
// the buffer reads the producer's inputs instead; the buffer disappears from
// writes and allocations.
class ProducerInliner : public ir::IRMutator {
 public:
  ProducerInliner(const ir::BlockNode& producer, const ir::BufferStoreNode& store)
      : producer_(producer), store_(store) {
    for (const Expr& index : store.indices) index_vars_.push_back(ir::Var::from_expr(index));
  }

 protected:
  Expr mutate_buffer_load(const Expr& e, const ir::BufferLoadNode* op) override {
    Expr mutated = IRMutator::mutate_buffer_load(e, op);
    const auto* load = mutated.as<ir::BufferLoadNode>();
    if (load->buffer != store_.buffer) return mutated;
    ir::VarMap map;
    for (size_t d = 0; d < index_vars_.size(); ++d) map[index_vars_[d]] = load->indices[d];
    return ir::substitute(store_.value, map);
  }

  ir::Block mutate_block(const ir::Block& block) override {
    ir::Block mutated = IRMutator::mutate_block(block);
    const Buffer& buffer = store_.buffer;
    const auto& allocs = mutated->alloc_buffers;
    if (!region_has(mutated->reads, buffer) && !region_has(mutated->writes, buffer) &&
        std::find(allocs.begin(), allocs.end(), buffer) == allocs.end())
      return mutated;
    auto node = ir::copy_block(*mutated);
    node->reads.clear();
    for (const BufferRegion& read : mutated->reads) {
      if (read.buffer != buffer)
        add_covering(&node->reads, read);
      else
        for (const BufferRegion& input : producer_.reads)
          add_covering(&node->reads, relax_region(input, ranges_over(read)));
    }
    node->writes.clear();
    for (const BufferRegion& write : mutated->writes)
      if (write.buffer != buffer) node->writes.push_back(write);
    node->alloc_buffers.erase(
        std::remove(node->alloc_buffers.begin(), node->alloc_buffers.end(), buffer),
        node->alloc_buffers.end());
    return node;
  }

 private:
  // The producer's iter vars over the elements of `consumed`: an index var
  // over its dimension's range, any other iter var over its domain.
  std::vector<std::pair<ir::Var, Range>> ranges_over(const BufferRegion& consumed) const {
    std::vector<std::pair<ir::Var, Range>> ranges;
    for (const ir::IterVar& iv : producer_.iter_vars) {
      auto it = std::find(index_vars_.begin(), index_vars_.end(), iv.var);
      ranges.emplace_back(
          iv.var, it == index_vars_.end() ? iv.dom : consumed.region[it - index_vars_.begin()]);
    }
    return ranges;
  }

  const ir::BlockNode& producer_;
  const ir::BufferStoreNode& store_;
  std::vector<ir::Var> index_vars_;
};

// reverse_compute_inline's rewrite: the producer becomes `replacement`; the
// intermediate buffer disappears from every other block's regions and
// allocations.
class ConsumerInliner : public ir::IRMutator {
 public:
  ConsumerInliner(Buffer intermediate, const ir::BlockNode* producer, ir::Block replacement)
      : intermediate_(std::move(intermediate)),
        producer_(producer),
        replacement_(std::move(replacement)) {}

 protected:
  ir::Block mutate_block(const ir::Block& block) override {
    if (block.get() == producer_) return replacement_;
    ir::Block mutated = IRMutator::mutate_block(block);
    const auto& allocs = mutated->alloc_buffers;
    if (!region_has(mutated->reads, intermediate_) && !region_has(mutated->writes, intermediate_) &&
        std::find(allocs.begin(), allocs.end(), intermediate_) == allocs.end())
      return mutated;
    auto node = ir::copy_block(*mutated);
    auto drop = [&](std::vector<BufferRegion>* regions) {
      regions->erase(
          std::remove_if(regions->begin(), regions->end(),
                         [&](const BufferRegion& r) { return r.buffer == intermediate_; }),
          regions->end());
    };
    drop(&node->reads);
    drop(&node->writes);
    node->alloc_buffers.erase(
        std::remove(node->alloc_buffers.begin(), node->alloc_buffers.end(), intermediate_),
        node->alloc_buffers.end());
    return node;
  }

 private:
  Buffer intermediate_;
  const ir::BlockNode* producer_;
  ir::Block replacement_;
};

// Replaces every load of `buffer` by `value`: the caller has checked that
// all those loads read the one element `value` computes.
class LoadReplacer : public ir::IRMutator {
 public:
  LoadReplacer(Buffer buffer, Expr value) : buffer_(std::move(buffer)), value_(std::move(value)) {}

 protected:
  Expr mutate_buffer_load(const Expr& e, const ir::BufferLoadNode* op) override {
    return op->buffer == buffer_ ? value_ : IRMutator::mutate_buffer_load(e, op);
  }

 private:
  Buffer buffer_;
  Expr value_;
};

const char* const kInlineHint =
    "compute_inline needs a spatial block that stores one element per iteration, "
    "B[v0, v1, ...] = f(...), into an intermediate buffer";
const char* const kReverseHint =
    "reverse_compute_inline needs a spatial consumer C[g(v)] = h(B[v0, v1, ...]) that "
    "reads each element of one intermediate buffer once";

}  // namespace

void Schedule::compute_inline(BlockRV block) {
  guard([&] {
    // Step 1. The block computes one element of one buffer per iteration.
    const Stmt realize = block_stmt(block);
    const ir::BlockNode& producer = *realize.as<ir::BlockRealizeNode>()->block;
    const ir::BufferStoreNode& store = elementwise_store("compute_inline", producer, kInlineHint);
    const Buffer& buffer = store.buffer;
    const std::string where = quoted(producer.name);

    // Step 2. The buffer is an intermediate that only this block writes and
    // that is read only after this block ran.
    if (is_param(func_, buffer))
      throw ScheduleError(
          "compute_inline", where + " writes `" + buffer->name + "`, an output of the function",
          "Only blocks writing intermediate buffers can be inlined; reverse_compute_inline inlines "
          "this block into its producer instead",
          {}, producer.name);
    if (region_has(producer.reads, buffer))
      throw ScheduleError("compute_inline",
                          where + " reads the buffer `" + buffer->name + "` it writes", kInlineHint,
                          {}, producer.name);
    const LeafBlockCollector flow(func_);
    const LeafBlock& me = flow.leaf(&producer);
    std::vector<const LeafBlock*> consumers;
    for (const LeafBlock& other : flow.leaves) {
      if (&other == &me) continue;
      if (other.writes(buffer))
        throw ScheduleError("compute_inline",
                            "`" + buffer->name + "` is written by " + where + " and by " +
                                quoted(other.block->name),
                            "Only the single writer of a buffer can be inlined", {}, producer.name);
      if (!other.reads(buffer)) continue;
      if (other.order < me.order)
        throw ScheduleError("compute_inline",
                            quoted(other.block->name) + " reads `" + buffer->name + "` before " +
                                where + " writes it",
                            "Inline only into consumers that come after the producer", {},
                            producer.name);
      consumers.push_back(&other);
    }

    // Step 3. The producer's inputs hold, when each consumer runs, the values
    // the producer read: no other block writes them in between.
    for (const BufferRegion& input : producer.reads) {
      for (const LeafBlock& writer : flow.leaves) {
        if (&writer == &me || !writer.writes(input.buffer) || runs_entirely_before(writer, me))
          continue;
        const bool after_all_consumers =
            std::all_of(consumers.begin(), consumers.end(),
                        [&](const LeafBlock* c) { return runs_entirely_before(*c, writer); });
        if (!after_all_consumers)
          throw ScheduleError(
              "compute_inline",
              quoted(writer.block->name) + " writes `" + input.buffer->name + "`, which " + where +
                  " reads, between " + where + " and its consumers",
              "Inlining would read the changed values; keep the block", {}, producer.name);
      }
    }

    // Step 4. Every buffer the producer reads is a parameter or allocated by
    // a block above each consumer.
    for (const LeafBlock* consumer : consumers) {
      const Stmt consumer_realize = find_block(func_, consumer->block->name);
      const std::vector<Stmt> path = path_to(func_, consumer_realize.get());
      for (const BufferRegion& input : producer.reads) {
        const Stmt owner = allocating_block(func_, input.buffer);
        if (!owner.defined()) continue;  // a parameter
        const bool visible = std::any_of(path.begin(), path.end(),
                                         [&](const Stmt& s) { return s.get() == owner.get(); });
        if (!visible)
          throw ScheduleError(
              "compute_inline",
              where + " reads `" + input.buffer->name + "`, which " +
                  quoted(owner.as<ir::BlockRealizeNode>()->block->name) + " allocates, and " +
                  quoted(consumer->block->name) + " runs outside that block",
              "Inlining would read the buffer outside its allocation; inline the block before "
              "blockize or reindex puts its input in an inner block",
              {}, producer.name);
      }
    }

    // Step 5. Remove the block and its loops, then rewrite the readers.
    const Stmt removed = removal_root("compute_inline", func_, realize);
    const ir::PrimFunc without = replace_stmt(func_, removed.get(), Stmt());
    ProducerInliner inliner(producer, store);
    set_func(ir::with_body(without, inliner.mutate(without->body)));
    record("compute_inline", {block}, {}, {});
  });
}

void Schedule::reverse_compute_inline(BlockRV block) {
  guard([&] {
    // Step 1. The consumer is spatial and stores one element per iteration.
    const Stmt realize = block_stmt(block);
    const auto* consumer_realize = realize.as<ir::BlockRealizeNode>();
    const ir::BlockNode& consumer = *consumer_realize->block;
    const ir::BufferStoreNode& store =
        spatial_store("reverse_compute_inline", consumer, kReverseHint);
    const Buffer& output = store.buffer;
    const std::string where = quoted(consumer.name);
    if (region_has(consumer.reads, output) || !loads_of(output, store).empty())
      throw ScheduleError("reverse_compute_inline",
                          where + " reads the buffer `" + output->name + "` it writes",
                          kReverseHint, {}, consumer.name);

    // Step 2. Exactly one buffer it reads has a producer, and that producer
    // is an elementwise block in the same scope, before the consumer, whose
    // only reader is the consumer.
    const LeafBlockCollector flow(func_);
    const LeafBlock& me = flow.leaf(&consumer);
    const LeafBlock* producer = nullptr;
    Buffer intermediate;
    for (const BufferRegion& input : consumer.reads) {
      for (const LeafBlock& other : flow.leaves) {
        if (&other == &me || !other.writes(input.buffer)) continue;
        if (producer && (other.block != producer->block || input.buffer != intermediate))
          throw ScheduleError(
              "reverse_compute_inline",
              where + " has more than one producer: " + quoted(producer->block->name) +
                  " writes `" + intermediate->name + "` and " + quoted(other.block->name) +
                  " writes `" + input.buffer->name + "`",
              "Only a consumer of a single intermediate buffer with a single producer can be "
              "inlined",
              {}, consumer.name);
        producer = &other;
        intermediate = input.buffer;
      }
    }
    if (!producer)
      throw ScheduleError("reverse_compute_inline",
                          where + " reads no buffer that another block writes",
                          "There is no producer to inline into", {}, consumer.name);
    const ir::BlockNode& producer_block = *producer->block;
    if (is_param(func_, intermediate))
      throw ScheduleError("reverse_compute_inline",
                          where + " reads `" + intermediate->name + "`, an output of the function",
                          "Only a consumer of an intermediate buffer can be inlined", {},
                          consumer.name);
    if (producer->scope != me.scope || producer->order > me.order)
      throw ScheduleError("reverse_compute_inline",
                          "the producer " + quoted(producer_block.name) + " is not before " +
                              where + " in the same scope",
                          "Inline only a consumer that follows its producer in the same block", {},
                          consumer.name);
    const ir::BufferStoreNode& producer_store = elementwise_store(
        "reverse_compute_inline", producer_block,
        "The producer must be a spatial block storing B[v0, v1, ...] = f(...); to fuse a "
        "consumer with a reduction, use reverse_compute_at instead");
    for (const LeafBlock& other : flow.leaves)
      if (&other != &me && other.reads(intermediate))
        throw ScheduleError("reverse_compute_inline",
                            "`" + intermediate->name + "` is read by " + where + " and by " +
                                quoted(other.block->name),
                            "Only the single consumer of an intermediate buffer can be inlined", {},
                            consumer.name);

    // Step 3. The consumer reads each element of the intermediate buffer
    // exactly once, at indices that are its iter vars over the buffer's shape,
    // and writes distinct elements: its iterations match the producer's one
    // to one.
    const std::vector<const ir::BufferLoadNode*> loads = loads_of(intermediate, store);
    if (loads.empty())
      throw ScheduleError(
          "reverse_compute_inline",
          where + " declares reading `" + intermediate->name + "` but never loads it", kReverseHint,
          {}, consumer.name);
    for (const ir::BufferLoadNode* load : loads)
      for (size_t d = 0; d < load->indices.size(); ++d)
        if (!ir::arith::same_expr(load->indices[d], loads[0]->indices[d]))
          throw ScheduleError(
              "reverse_compute_inline",
              where + " loads `" + intermediate->name + "` at more than one position", kReverseHint,
              {}, consumer.name);
    const std::vector<ir::Var> load_vars =
        index_iter_vars("reverse_compute_inline", consumer, loads[0]->indices,
                        "loads `" + intermediate->name + "`", kReverseHint);
    const std::vector<int64_t> shape = ir::static_shape(intermediate);
    ir::arith::VarRangeMap consumer_domain;
    for (const ir::IterVar& iv : consumer.iter_vars) {
      auto it = std::find(load_vars.begin(), load_vars.end(), iv.var);
      if (it == load_vars.end())
        throw ScheduleError("reverse_compute_inline",
                            where + " iter var `" + iv.var.name() +
                                "` does not index its load of `" + intermediate->name +
                                "`: it reads elements more than once",
                            kReverseHint, {}, consumer.name);
      if (!is_const_int(iv.dom.min, 0) ||
          !is_const_int(iv.dom.extent, shape[it - load_vars.begin()]))
        throw ScheduleError("reverse_compute_inline",
                            where + " iter var `" + iv.var.name() +
                                "` does not cover its dimension of `" + intermediate->name + "`",
                            "The consumer must read the whole intermediate buffer", {},
                            consumer.name);
      consumer_domain[iv.var] = iv.dom;
    }
    if (!ir::arith::detect_iter_map(store.indices, consumer_domain).ok)
      throw ScheduleError("reverse_compute_inline",
                          where + " may write an element of `" + output->name + "` more than once",
                          "Its store indices must be a bijective affine map of its iter vars", {},
                          consumer.name);

    // Step 4. Computing the consumer at the producer's time changes nothing
    // another block sees: every other reader of the output runs entirely
    // before the producer or entirely after the consumer.
    for (const LeafBlock& other : flow.leaves) {
      if (&other == &me || !(other.reads(output) || other.writes(output))) continue;
      if (!runs_entirely_before(other, *producer) && !runs_entirely_before(me, other))
        throw ScheduleError("reverse_compute_inline",
                            quoted(other.block->name) + " accesses `" + output->name +
                                "` between " + quoted(producer_block.name) + " and " + where,
                            "Inlining would change what it sees; keep the block", {},
                            consumer.name);
    }

    // Step 5. Build the producer that stores the consumer's value.
    ir::VarMap to_producer;
    for (size_t d = 0; d < load_vars.size(); ++d)
      to_producer[load_vars[d]] = producer_store.indices[d];
    LoadReplacer replacer(intermediate, producer_store.value);
    std::vector<Expr> indices;
    for (const Expr& index : store.indices) indices.push_back(ir::substitute(index, to_producer));
    auto fused = ir::copy_block(producer_block);
    fused->body = ir::buffer_store(
        output, replacer.mutate(ir::substitute(store.value, to_producer)), indices);
    auto in_producer_vars = [&](const BufferRegion& r) {
      BufferRegion out{r.buffer, {}};
      for (const Range& range : r.region)
        out.region.push_back(
            {ir::substitute(range.min, to_producer), ir::substitute(range.extent, to_producer)});
      return out;
    };
    for (const BufferRegion& read : consumer.reads)
      if (read.buffer != intermediate) add_covering(&fused->reads, in_producer_vars(read));
    fused->writes = {in_producer_vars(consumer.writes[0])};

    // Step 6. Remove the consumer and its loops, then replace the producer.
    const Stmt removed = removal_root("reverse_compute_inline", func_, realize);
    const ir::PrimFunc without = replace_stmt(func_, removed.get(), Stmt());
    ConsumerInliner inliner(intermediate, &producer_block, std::move(fused));
    set_func(ir::with_body(without, inliner.mutate(without->body)));
    record("reverse_compute_inline", {block}, {}, {});
  });
}

void register_inline_instructions() {
  auto by_block = [](void (Schedule::*method)(BlockRV)) {
    return [method](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
                    const std::optional<Decision>&) {
      (sch.*method)(input_block(in, 0));
      return std::vector<RV>{};
    };
  };
  register_instruction_kind(
      {"compute_inline", false, false, {}, by_block(&Schedule::compute_inline), nullptr});
  register_instruction_kind({"reverse_compute_inline",
                             false,
                             false,
                             {},
                             by_block(&Schedule::reverse_compute_inline),
                             nullptr});
}

}  // namespace kiln::sched
