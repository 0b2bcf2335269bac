#include "codegen/passes/unroll_loops.h"

#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"

namespace kiln::codegen {

namespace {

class Unroller : public ir::IRMutator {
 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    ir::Stmt out = ir::IRMutator::mutate_for(s, op);
    const auto* loop = out.as<ir::ForNode>();
    if (loop->for_kind != ir::ForKind::kUnrolled) return out;
    const int64_t* extent = ir::as_const_int(loop->extent);
    if (!extent || *extent > kMaxUnrollExtent || *extent < 1)
      return ir::for_loop(loop->loop_var, loop->min, loop->extent, ir::ForKind::kSerial, loop->body,
                          "", loop->annotations);
    std::vector<ir::Stmt> copies;
    for (int64_t i = 0; i < *extent; ++i) {
      ir::Expr value = ir::int_imm(loop->loop_var.dtype(), i) + loop->min;
      copies.push_back(ir::substitute(loop->body, {{loop->loop_var, value}}));
    }
    return ir::seq(std::move(copies));
  }
};

}  // namespace

ir::PrimFunc unroll_loops(const ir::PrimFunc& func) {
  return ir::with_body(func, Unroller().mutate(func->body));
}

}  // namespace kiln::codegen
