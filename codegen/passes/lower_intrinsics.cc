#include "codegen/passes/lower_intrinsics.h"

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

class IntrinsicLowerer : public ir::IRMutator {
 protected:
  ir::Expr mutate_call(const ir::Expr& e, const ir::CallNode* op) override {
    ir::Expr out = ir::IRMutator::mutate_call(e, op);
    const auto* c = out.as<ir::CallNode>();
    const ir::DataType t = out.dtype();
    auto constant = [&](double v) {
      ir::Expr scalar = ir::make_const(t.element_of(), v);
      return t.is_vector() ? ir::broadcast(scalar, t.lanes()) : scalar;
    };
    auto one = [&] { return constant(1.0); };
    switch (c->op) {
      case ir::Intrinsic::kSigmoid:
        return one() / (one() + ir::call(ir::Intrinsic::kExp, {constant(0.0) - c->args[0]}));
      case ir::Intrinsic::kRsqrt: return one() / ir::call(ir::Intrinsic::kSqrt, {c->args[0]});
      default: return out;
    }
  }
};

}  // namespace

ir::PrimFunc lower_intrinsics(const ir::PrimFunc& func) {
  return ir::with_body(func, IntrinsicLowerer().mutate(func->body));
}

}  // namespace kiln::codegen
