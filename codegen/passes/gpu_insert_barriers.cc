#include "codegen/passes/gpu_insert_barriers.h"

#include <set>
#include <vector>

#include "codegen/passes/stmt_utils.h"
#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

using BufferSet = std::set<const ir::BufferNode*>;

bool is_shared(const ir::Buffer& b) { return b->scope == "shared" || b->scope == "shared.dyn"; }

bool is_thread_index(const ir::ForNode* op) {
  return op->for_kind == ir::ForKind::kThreadBinding && op->thread_tag.rfind("threadIdx.", 0) == 0;
}

bool is_block_index(const ir::ForNode* op) {
  return op->for_kind == ir::ForKind::kThreadBinding && op->thread_tag.rfind("blockIdx.", 0) == 0;
}

// Shared buffers read and written since the last barrier.
struct State {
  BufferSet reads;
  BufferSet writes;
  void add(const State& o) {
    reads.insert(o.reads.begin(), o.reads.end());
    writes.insert(o.writes.begin(), o.writes.end());
  }
  void clear() {
    reads.clear();
    writes.clear();
  }
};

State accesses(const ir::Stmt& s) {
  struct Scan : ir::IRVisitor {
    State state;
    void visit_buffer_load(const ir::BufferLoadNode* op) override {
      if (is_shared(op->buffer)) state.reads.insert(op->buffer.get());
      ir::IRVisitor::visit_buffer_load(op);
    }
    void visit_buffer_store(const ir::BufferStoreNode* op) override {
      if (is_shared(op->buffer)) state.writes.insert(op->buffer.get());
      ir::IRVisitor::visit_buffer_store(op);
    }
  } scan;
  scan.visit(s);
  return scan.state;
}

bool intersects(const BufferSet& a, const BufferSet& b) {
  for (const ir::BufferNode* x : a)
    if (b.count(x)) return true;
  return false;
}

bool conflicts(const State& pending, const State& next) {
  return intersects(next.reads, pending.writes) || intersects(next.writes, pending.reads);
}

ir::Stmt barrier() {
  return ir::evaluate(ir::Expr(std::make_shared<ir::CallNode>(
      ir::DataType::Void(), ir::Intrinsic::kGpuBarrier, std::vector<ir::Expr>{})));
}

class Planner {
 public:
  // Plans `s` starting from `state`; leaves in `state` what is pending after it.
  ir::Stmt plan(const ir::Stmt& s, State& state) {
    if (const auto* seq = s.as<ir::SeqStmtNode>()) {
      std::vector<ir::Stmt> out;
      for (const ir::Stmt& c : seq->seq) out.push_back(plan(c, state));
      return ir::seq(out);
    }
    if (const auto* op = s.as<ir::ForNode>()) {
      // A loop that as a whole depends on pending accesses gets its barrier
      // in front of it, once, rather than in its body on every iteration.
      ir::Stmt before;
      if (conflicts(state, accesses(s))) {
        before = barrier();
        state.clear();
      }
      ir::Stmt loop = plan_for(s, op, state);
      return before.defined() ? ir::seq({before, loop}) : loop;
    }
    if (const auto* op = s.as<ir::AllocateNode>())
      return ir::allocate(op->buffer, plan(op->body, state));
    if (const auto* op = s.as<ir::LetStmtNode>())
      return ir::let_stmt(op->var, op->value, plan(op->body, state));
    if (const auto* op = s.as<ir::IfThenElseNode>(); op && uniform(op->condition)) {
      State then_state = state, else_state = state;
      ir::Stmt then_case = plan(op->then_case, then_state);
      ir::Stmt else_case = op->else_case.defined() ? plan(op->else_case, else_state) : ir::Stmt();
      state = then_state;
      state.add(else_state);
      return ir::if_then_else(op->condition, then_case, else_case);
    }
    // A leaf: one unit that every thread runs (or a thread-divergent branch).
    State mine = accesses(s);
    if (mine.reads.empty() && mine.writes.empty()) return s;
    ir::Stmt out = s;
    if (conflicts(state, mine)) {
      out = ir::seq({barrier(), s});
      state.clear();
    }
    state.add(mine);
    return out;
  }

 private:
  ir::Stmt plan_for(const ir::Stmt& s, const ir::ForNode* op, State& state) {
    const State mine = accesses(op->body);
    if (mine.reads.empty() && mine.writes.empty()) return s;
    const bool parallel_iterations = is_thread_index(op) || is_block_index(op);
    if (is_thread_index(op)) thread_vars_.insert(op->loop_var.get());
    ir::Stmt body;
    if (parallel_iterations) {
      // Iterations are threads (or blocks), not steps: no loop-carried order.
      body = plan(op->body, state);
    } else {
      // The second iteration starts with what the first left pending.
      State first = state;
      plan(op->body, first);
      State entry = state;
      entry.add(first);
      body = plan(op->body, entry);
      state = entry;
    }
    if (is_thread_index(op)) thread_vars_.erase(op->loop_var.get());
    if (body.same_as(op->body)) return s;
    return ir::for_loop(op->loop_var, op->min, op->extent, op->for_kind, body, op->thread_tag,
                        op->annotations);
  }

  // True when every thread of the block takes the same branch.
  bool uniform(const ir::Expr& condition) const {
    struct Uses : ir::IRVisitor {
      const std::set<const ir::VarNode*>* vars;
      bool found = false;
      void visit_var(const ir::VarNode* v) override { found |= vars->count(v) > 0; }
    } uses;
    uses.vars = &thread_vars_;
    uses.visit(condition);
    return !uses.found;
  }

  std::set<const ir::VarNode*> thread_vars_;
};

}  // namespace

void gpu_insert_barriers(gpu::GpuProgram& program) {
  for (gpu::GpuKernel& kernel : program.kernels) {
    State state;
    kernel.body = Planner().plan(kernel.body, state);
  }
}

}  // namespace kiln::codegen
