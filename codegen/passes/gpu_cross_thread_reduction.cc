#include "codegen/passes/gpu_cross_thread_reduction.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "codegen/build.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"
#include "ir/structural.h"

namespace kiln::codegen {

namespace {

using VarSet = std::set<const ir::VarNode*>;

bool is_thread_loop(const ir::ForNode* op) {
  return op->for_kind == ir::ForKind::kThreadBinding && op->thread_tag.rfind("threadIdx.", 0) == 0;
}

VarSet vars_of(const ir::Expr& e) {
  struct Collect : ir::IRVisitor {
    VarSet vars;
    void visit_var(const ir::VarNode* v) override { vars.insert(v); }
  } c;
  c.visit(e);
  return c.vars;
}

bool uses_any(const ir::Expr& e, const VarSet& vars) {
  for (const ir::VarNode* v : vars_of(e))
    if (vars.count(v)) return true;
  return false;
}

bool reads_buffers(const ir::Expr& e) {
  struct Loads : ir::IRVisitor {
    bool found = false;
    void visit_buffer_load(const ir::BufferLoadNode*) override { found = true; }
  } l;
  l.visit(e);
  return l.found;
}

[[noreturn]] void refuse(const ir::BlockNode& block, const std::string& why) {
  throw BuildError("gpu_cross_thread_reduction: block " + block.name +
                   " reduces over a loop bound to threadIdx, but " + why);
}

// What a reduction block computes: B[indices] = B[indices] (+) value.
struct Reduction {
  AllreduceCombiner combiner;
  ir::Buffer buffer;
  std::vector<ir::Expr> indices;
  ir::Expr value;
  ir::Expr init;
};

Reduction match_reduction(const ir::BlockNode& block) {
  const auto* store = block.body.as<ir::BufferStoreNode>();
  const auto* init = block.init.defined() ? block.init.as<ir::BufferStoreNode>() : nullptr;
  if (!store || !init || !init->buffer.same_as(store->buffer))
    refuse(block, "its body is not one store B[v] = B[v] (+) e with an init B[v] = x");
  const auto* bin = store->value.as<ir::BinaryNode>();
  AllreduceCombiner combiner = AllreduceCombiner::kSum;
  switch (store->value.kind()) {
    case ir::ExprKind::kAdd: combiner = AllreduceCombiner::kSum; break;
    case ir::ExprKind::kMul: combiner = AllreduceCombiner::kProduct; break;
    case ir::ExprKind::kMin: combiner = AllreduceCombiner::kMin; break;
    case ir::ExprKind::kMax: combiner = AllreduceCombiner::kMax; break;
    default: bin = nullptr;
  }
  auto is_self = [&](const ir::Expr& e) {
    const auto* load = e.as<ir::BufferLoadNode>();
    if (!load || !load->buffer.same_as(store->buffer)) return false;
    for (size_t i = 0; i < load->indices.size(); ++i)
      if (!ir::structural_equal(load->indices[i], store->indices[i])) return false;
    return true;
  };
  if (!bin || !(is_self(bin->a) || is_self(bin->b)))
    refuse(block, "its update is not a sum, product, min or max of " + store->buffer->name +
                      " with a value; only those combine across threads");
  for (size_t i = 0; i < init->indices.size(); ++i)
    if (!ir::structural_equal(init->indices[i], store->indices[i]))
      refuse(block, "its init writes another element than its update");
  if (reads_buffers(init->value))
    refuse(block, "its init reads a buffer; initialize with a constant");
  return {combiner, store->buffer, store->indices, is_self(bin->a) ? bin->b : bin->a, init->value};
}

ir::Stmt realize(const std::string& name, std::vector<ir::IterVar> iter_vars,
                 std::vector<ir::Expr> values, ir::Expr predicate,
                 std::vector<ir::BufferRegion> reads, std::vector<ir::BufferRegion> writes,
                 ir::Stmt body) {
  auto node = std::make_shared<ir::BlockNode>();
  node->name = name;
  node->iter_vars = std::move(iter_vars);
  node->reads = std::move(reads);
  node->writes = std::move(writes);
  node->body = std::move(body);
  return ir::block_realize(std::move(values), std::move(predicate), std::move(node));
}

ir::Expr conjunction(const std::vector<ir::Expr>& terms) {
  ir::Expr out = ir::int_imm(ir::DataType::Bool(), 1);
  for (size_t i = 0; i < terms.size(); ++i) out = i == 0 ? terms[i] : (out && terms[i]);
  return out;
}

void split_conjunction(const ir::Expr& e, std::vector<ir::Expr>* out) {
  if (e.kind() == ir::ExprKind::kAnd) {
    const auto* b = e.as<ir::BinaryNode>();
    split_conjunction(b->a, out);
    split_conjunction(b->b, out);
    return;
  }
  if (const auto* imm = e.as<ir::IntImmNode>(); imm && imm->value != 0) return;  // true
  out->push_back(e);
}

class Rewriter : public ir::IRMutator {
 public:
  std::vector<ir::Buffer> new_buffers;

 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    if (is_thread_loop(op)) {
      ir::Stmt rewritten = try_rewrite(op);
      if (rewritten.defined()) return rewritten;
    }
    loops_.push_back(op);
    ir::Stmt out = ir::IRMutator::mutate_for(s, op);
    loops_.pop_back();
    return out;
  }

  ir::Stmt mutate_block_realize(const ir::Stmt& s, const ir::BlockRealizeNode* op) override {
    // A reduction over a thread loop that try_rewrite did not take: say why.
    // Without an init (decompose_reduction split it off) every thread would
    // update the same element at once: a race, never a reduction.
    VarSet spatial, reduction;
    split_bindings(op, &spatial, &reduction);
    for (const ir::ForNode* loop : loops_) {
      if (!is_thread_loop(loop) || !reduction.count(loop->loop_var.get()) ||
          spatial.count(loop->loop_var.get()))
        continue;
      if (!op->block->init.defined())
        refuse(*op->block, "its init was split off (decompose_reduction): the threads would "
                           "update each element at once. Keep the init in the block, or bind "
                           "only spatial loops to threads");
      refuse(*op->block, "the thread loop " + loop->loop_var.name() +
                             " holds more than the block's reduction loops; put the thread "
                             "loop right above the block's other reduction loops (reorder) "
                             "with nothing else in it");
    }
    return ir::IRMutator::mutate_block_realize(s, op);
  }

 private:
  static void split_bindings(const ir::BlockRealizeNode* op, VarSet* spatial, VarSet* reduction) {
    for (size_t i = 0; i < op->iter_values.size(); ++i) {
      VarSet vars = vars_of(op->iter_values[i]);
      (op->block->iter_vars[i].kind == ir::IterKind::kReduction ? reduction : spatial)
          ->insert(vars.begin(), vars.end());
    }
  }

  // The thread loop `thread` over a chain of loops ending in one reduction
  // block that only its reduction iter vars bind to the thread loop; an
  // undefined statement when it is not that.
  ir::Stmt try_rewrite(const ir::ForNode* thread) {
    std::vector<const ir::ForNode*> chain;
    ir::Stmt s = thread->body;
    while (const auto* f = s.as<ir::ForNode>()) {
      chain.push_back(f);
      s = f->body;
    }
    const auto* br = s.as<ir::BlockRealizeNode>();
    if (!br || !br->block->init.defined()) return ir::Stmt();
    VarSet spatial, reduction;
    split_bindings(br, &spatial, &reduction);
    const ir::VarNode* t = thread->loop_var.get();
    if (!reduction.count(t) || spatial.count(t)) return ir::Stmt();
    const ir::BlockNode& block = *br->block;
    VarSet inner = {t};
    for (const ir::ForNode* f : chain) {
      if (is_thread_loop(f))
        refuse(block, "its loop " + f->loop_var.name() + " is bound to " + f->thread_tag +
                          " too; bind one reduction loop to threads (fuse them first)");
      if (f->for_kind == ir::ForKind::kThreadBinding)
        refuse(block, "its loop " + f->loop_var.name() + " is bound to " + f->thread_tag +
                          " inside the thread loop");
      if (spatial.count(f->loop_var.get()))
        refuse(block, "the spatial loop " + f->loop_var.name() + " is inside the thread loop " +
                          thread->loop_var.name() +
                          "; reorder so that only reduction loops are under it");
      inner.insert(f->loop_var.get());
    }
    const Reduction r = match_reduction(block);
    const ir::DataType t_value = r.buffer->dtype;
    ir::Buffer acc = ir::make_buffer(r.buffer->name + "_in_thread", t_value, {1}, "local");
    ir::Buffer red = ir::make_buffer(r.buffer->name + "_cross_thread", t_value, {1}, "local");
    new_buffers.push_back(acc);
    new_buffers.push_back(red);
    const std::vector<ir::Expr> zero = {ir::index_imm(0)};
    const ir::BufferRegion acc_region{
        acc, {ir::Range::from_min_extent(ir::index_imm(0), ir::index_imm(1))}};
    const ir::BufferRegion red_region{
        red, {ir::Range::from_min_extent(ir::index_imm(0), ir::index_imm(1))}};
    const ir::Expr truth = ir::int_imm(ir::DataType::Bool(), 1);
    // Step 1. Each thread starts from the identity ...
    ir::Stmt init = realize(block.name + "_in_thread_init", {}, {}, truth, {}, {acc_region},
                            ir::buffer_store(acc, identity(r.combiner, t_value), zero));
    // Step 2. ... and combines its share of the values (the block's
    // predicate guards the share past the extent).
    std::vector<ir::BufferRegion> reads = {acc_region};
    for (const ir::BufferRegion& region : block.reads)
      if (!region.buffer.same_as(r.buffer)) reads.push_back(region);
    ir::Stmt update = realize(
        block.name + "_in_thread", block.iter_vars, br->iter_values, br->predicate, reads,
        {acc_region},
        ir::buffer_store(acc, combine(r.combiner, ir::buffer_load(acc, zero), r.value), zero));
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      update = ir::for_loop((*it)->loop_var, (*it)->min, (*it)->extent, (*it)->for_kind, update,
                            (*it)->thread_tag, (*it)->annotations);
    // Step 3. The threads combine their partial values; each gets the total.
    ir::Expr all = ir::Expr(std::make_shared<ir::CallNode>(
        t_value, ir::Intrinsic::kThreadAllreduce,
        std::vector<ir::Expr>{ir::buffer_load(acc, zero),
                              ir::int_imm(ir::DataType::Int(32), static_cast<int>(r.combiner)),
                              thread->loop_var}));
    ir::Stmt cross = realize(block.name + "_cross_thread", {}, {}, truth, {acc_region},
                             {red_region}, ir::buffer_store(red, all, zero));
    // Step 4. The block's element gets init (+) total, under the part of
    // the predicate that does not depend on the reduction.
    std::vector<ir::IterVar> spatial_vars;
    std::vector<ir::Expr> spatial_values;
    for (size_t i = 0; i < block.iter_vars.size(); ++i) {
      if (block.iter_vars[i].kind != ir::IterKind::kSpatial) continue;
      spatial_vars.push_back(block.iter_vars[i]);
      spatial_values.push_back(br->iter_values[i]);
    }
    std::vector<ir::Expr> terms, kept;
    split_conjunction(br->predicate, &terms);
    for (const ir::Expr& term : terms) {
      if (!uses_any(term, inner)) {
        kept.push_back(term);
        continue;
      }
      VarSet vars = vars_of(term);
      for (const ir::VarNode* v : vars)
        if (!inner.count(v))
          refuse(block, "its predicate " + ir::to_script(term) +
                            " mixes spatial and reduction loops; split the loops so that each "
                            "condition is over one kind");
    }
    const ir::Expr total = ir::buffer_load(red, zero);
    const bool trivial_init = ir::structural_equal(r.init, identity(r.combiner, t_value));
    std::vector<ir::BufferRegion> write_back_writes;
    for (const ir::BufferRegion& w : block.writes)
      if (w.buffer.same_as(r.buffer)) write_back_writes.push_back(w);
    ir::Stmt write_back = realize(
        block.name, spatial_vars, spatial_values, conjunction(kept), {red_region},
        write_back_writes,
        ir::buffer_store(r.buffer, trivial_init ? total : combine(r.combiner, r.init, total),
                         r.indices));
    return ir::for_loop(thread->loop_var, thread->min, thread->extent, thread->for_kind,
                        ir::seq({init, update, cross, write_back}), thread->thread_tag,
                        thread->annotations);
  }

  std::vector<const ir::ForNode*> loops_;
};

}  // namespace

ir::PrimFunc gpu_cross_thread_reduction(const ir::PrimFunc& func) {
  Rewriter rewriter;
  ir::Stmt body = rewriter.mutate(func->body);
  if (rewriter.new_buffers.empty()) return func;
  // The new per-thread buffers belong to the root block.
  const auto* root = body.as<ir::BlockRealizeNode>();
  if (!root) throw BuildError("gpu_cross_thread_reduction: " + func->name + " has no root block");
  auto node = ir::copy_block(*root->block);
  node->alloc_buffers.insert(node->alloc_buffers.end(), rewriter.new_buffers.begin(),
                             rewriter.new_buffers.end());
  return ir::with_body(func, ir::block_realize(root->iter_values, root->predicate, node));
}

ir::Expr combine(AllreduceCombiner c, const ir::Expr& a, const ir::Expr& b) {
  switch (c) {
    case AllreduceCombiner::kSum: return a + b;
    case AllreduceCombiner::kProduct: return a * b;
    case AllreduceCombiner::kMin: return ir::min(a, b);
    case AllreduceCombiner::kMax: return ir::max(a, b);
  }
  return a;
}

ir::Expr identity(AllreduceCombiner c, ir::DataType t) {
  switch (c) {
    case AllreduceCombiner::kSum: return ir::make_zero(t);
    case AllreduceCombiner::kProduct: return ir::make_const(t, 1.0);
    case AllreduceCombiner::kMin: return ir::max_value(t);
    case AllreduceCombiner::kMax: return ir::min_value(t);
  }
  return ir::make_zero(t);
}

}  // namespace kiln::codegen
