#include "codegen/passes/compact_buffers.h"

#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "ir/arith/region.h"
#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

struct Access {
  std::vector<ir::Expr> indices;
  ir::arith::VarRangeMap inner_loops;
};

// Every access of one buffer, with the loops between the allocation and it.
class AccessCollector : public ir::IRVisitor {
 public:
  explicit AccessCollector(const ir::BufferNode* buffer) : buffer_(buffer) {}
  std::vector<Access> accesses;
  std::unordered_set<const ir::VarNode*> let_vars;

 protected:
  void visit_for(const ir::ForNode* op) override {
    loops_[op->loop_var] = ir::Range::from_min_extent(op->min, op->extent);
    ir::IRVisitor::visit_for(op);
    loops_.erase(op->loop_var);
  }
  void visit_let_stmt(const ir::LetStmtNode* op) override {
    let_vars.insert(op->var.get());
    ir::IRVisitor::visit_let_stmt(op);
  }
  void visit_let(const ir::LetNode* op) override {
    let_vars.insert(op->var.get());
    ir::IRVisitor::visit_let(op);
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    if (op->buffer.get() == buffer_) accesses.push_back({op->indices, loops_});
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    if (op->buffer.get() == buffer_) accesses.push_back({op->indices, loops_});
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  const ir::BufferNode* buffer_;
  ir::arith::VarRangeMap loops_;
};

class UsesVar : public ir::IRVisitor {
 public:
  explicit UsesVar(const std::unordered_set<const ir::VarNode*>& vars) : vars_(vars) {}
  bool found = false;

 protected:
  void visit_var(const ir::VarNode* op) override { found |= vars_.count(op) > 0; }

 private:
  const std::unordered_set<const ir::VarNode*>& vars_;
};

// Replaces the buffer and subtracts the region's mins from its indices.
class Shifter : public ir::IRMutator {
 public:
  Shifter(ir::Buffer from, ir::Buffer to, std::vector<ir::Expr> mins)
      : from_(std::move(from)), to_(std::move(to)), mins_(std::move(mins)) {}

 protected:
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    std::vector<ir::Expr> idx;
    mutate_all(op->indices, &idx);
    if (op->buffer != from_) return ir::buffer_load(op->buffer, std::move(idx));
    return ir::buffer_load(to_, shift(std::move(idx)));
  }
  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    std::vector<ir::Expr> idx;
    mutate_all(op->indices, &idx);
    ir::Expr value = mutate(op->value);
    if (op->buffer != from_) return ir::buffer_store(op->buffer, value, std::move(idx));
    return ir::buffer_store(to_, value, shift(std::move(idx)));
  }

 private:
  std::vector<ir::Expr> shift(std::vector<ir::Expr> idx) const {
    for (size_t d = 0; d < idx.size(); ++d)
      if (!ir::is_const_int(mins_[d], 0)) idx[d] = ir::arith::simplify(idx[d] - mins_[d]);
    return idx;
  }
  ir::Buffer from_, to_;
  std::vector<ir::Expr> mins_;
};

class Compactor : public ir::IRMutator {
 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    outer_.bind(op->loop_var, ir::Range::from_min_extent(op->min, op->extent));
    return ir::IRMutator::mutate_for(s, op);
  }
  ir::Stmt mutate_allocate(const ir::Stmt& s, const ir::AllocateNode* op) override {
    ir::Stmt body = mutate(op->body);
    const ir::Buffer& buffer = op->buffer;
    AccessCollector collector(buffer.get());
    collector.visit(body);
    std::vector<ir::Expr> mins, shape;
    if (!compacted_region(buffer, collector, &mins, &shape)) return ir::allocate(buffer, body);
    ir::Buffer small = ir::with_shape(buffer, shape);
    return ir::allocate(small, Shifter(buffer, small, mins).mutate(body));
  }

 private:
  // The region of `buffer` its accesses cover; false when no dimension shrinks.
  bool compacted_region(const ir::Buffer& buffer, const AccessCollector& collector,
                        std::vector<ir::Expr>* mins, std::vector<ir::Expr>* shape) const {
    const std::vector<int64_t> full = ir::static_shape(buffer);
    const size_t ndim = full.size();
    std::vector<std::vector<ir::Range>> regions;
    try {
      for (const Access& a : collector.accesses)
        regions.push_back(ir::arith::relax_region(a.indices, a.inner_loops, outer_));
    } catch (const std::invalid_argument&) {
      return false;  // an index the analysis cannot bound (an indirect load)
    }
    if (regions.empty()) return false;
    bool shrinks = false;
    for (size_t d = 0; d < ndim; ++d) {
      ir::Expr base = regions[0][d].min;
      UsesVar inner(collector.let_vars);
      inner.visit(base);
      std::optional<int64_t> lo, hi;
      for (const std::vector<ir::Range>& r : regions) {
        auto offset = as_const(outer_.simplify(r[d].min - base));
        auto extent = outer_.const_int_bound(r[d].extent);
        if (!offset || !extent.has_max()) {
          lo.reset();
          break;
        }
        lo = lo ? std::min(*lo, *offset) : *offset;
        hi = hi ? std::max(*hi, *offset + extent.max) : *offset + extent.max;
      }
      if (!lo || inner.found || *hi - *lo >= full[d]) {
        mins->push_back(ir::make_zero(base.dtype()));
        shape->push_back(ir::index_imm(full[d]));
        continue;
      }
      mins->push_back(outer_.simplify(base + ir::int_imm(base.dtype(), *lo)));
      shape->push_back(ir::index_imm(std::max<int64_t>(*hi - *lo, 1)));
      shrinks = true;
    }
    return shrinks;
  }
  static std::optional<int64_t> as_const(const ir::Expr& e) {
    const int64_t* v = ir::as_const_int(e);
    return v ? std::optional<int64_t>(*v) : std::nullopt;
  }

  ir::arith::Analyzer outer_;
};

}  // namespace

ir::PrimFunc compact_buffers(const ir::PrimFunc& func) {
  return ir::with_body(func, Compactor().mutate(func->body));
}

}  // namespace kiln::codegen
