#include "codegen/passes/lower_parallel.h"

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

class NestedParallelSerializer : public ir::IRMutator {
 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    const bool parallel = op->for_kind == ir::ForKind::kParallel;
    if (!parallel) return ir::IRMutator::mutate_for(s, op);
    const bool nested = depth_ > 0;
    ++depth_;
    ir::Stmt body = mutate(op->body);
    --depth_;
    if (!nested && body.same_as(op->body)) return s;
    return ir::for_loop(op->loop_var, op->min, op->extent,
                        nested ? ir::ForKind::kSerial : ir::ForKind::kParallel, body, "",
                        op->annotations);
  }

 private:
  int depth_ = 0;
};

}  // namespace

ir::PrimFunc lower_parallel(const ir::PrimFunc& func) {
  return ir::with_body(func, NestedParallelSerializer().mutate(func->body));
}

}  // namespace kiln::codegen
