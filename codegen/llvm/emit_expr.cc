// Expressions: constants, arithmetic, comparisons, logic, select, ramps,
// lets and intrinsic calls. Semantics follow the interpreter
// (ir/interpreter/compile_expr.cc), which is the oracle of the tests.
#include <llvm/Analysis/VectorUtils.h>
#include <llvm/IR/Intrinsics.h>

#include <numeric>
#include <stdexcept>

#include "codegen/llvm/emitter.h"
#include "codegen/llvm/vector_library.h"
#include "ir/functor.h"
#include "ir/interpreter/float16.h"

namespace kiln::codegen::llvm_backend {

using ir::DataType;
using ir::ExprKind;

void internal_error(const std::string& what) {
  throw std::logic_error("kiln internal error in the LLVM backend: " + what +
                         ". The lowering passes should not produce this; please report it.");
}

namespace {

class FaultFinder : public ir::IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode*) override { found = true; }
  void visit_binary(const ir::BinaryNode* op) override {
    const bool division = op->kind == ExprKind::kDiv || op->kind == ExprKind::kFloorDiv ||
                          op->kind == ExprKind::kFloorMod;
    if (division && op->dtype.is_integer()) {
      const ir::Expr& d = op->b;
      const auto* splat = d.as<ir::BroadcastNode>();
      const bool constant = ir::as_const_int(d) || (splat && ir::as_const_int(splat->value));
      if (!constant) found = true;
    }
    IRVisitor::visit_binary(op);
  }
};

}  // namespace

bool may_fault(const ir::Expr& e) {
  FaultFinder finder;
  finder.visit(e);
  return finder.found;
}

llvm::Value* KernelEmitter::int_constant(DataType t, int64_t value) {
  if (t.is_float()) return float_constant(t, static_cast<double>(value));
  return llvm::ConstantInt::get(reg_type(t), static_cast<uint64_t>(value), /*isSigned=*/true);
}

llvm::Value* KernelEmitter::float_constant(DataType t, double value) {
  if (t.is_bfloat16()) {
    return llvm::ConstantInt::get(reg_type(t), ir::double_to_bfloat16_bits(value));
  }
  if (t.is_float()) return llvm::ConstantFP::get(reg_type(t), value);
  if (t.is_bool()) return llvm::ConstantInt::get(reg_type(t), value != 0.0);
  // An integer-typed float literal converts like a cast: NaN is 0, and the
  // value truncates toward zero.
  if (value != value) return int_constant(t, 0);
  return int_constant(t, static_cast<int64_t>(value));
}

template <typename TrueFn, typename FalseFn>
llvm::Value* KernelEmitter::branch_value(llvm::Value* cond, TrueFn make_true, FalseFn make_false,
                                         const char* name) {
  llvm::Function* f = fn_.function;
  auto* then_bb = llvm::BasicBlock::Create(ctx_, std::string(name) + ".then", f);
  auto* else_bb = llvm::BasicBlock::Create(ctx_, std::string(name) + ".else", f);
  auto* merge_bb = llvm::BasicBlock::Create(ctx_, std::string(name) + ".end", f);
  b_.CreateCondBr(cond, then_bb, else_bb);
  b_.SetInsertPoint(then_bb);
  llvm::Value* t = make_true();
  llvm::BasicBlock* then_end = b_.GetInsertBlock();
  b_.CreateBr(merge_bb);
  b_.SetInsertPoint(else_bb);
  llvm::Value* e = make_false();
  llvm::BasicBlock* else_end = b_.GetInsertBlock();
  b_.CreateBr(merge_bb);
  b_.SetInsertPoint(merge_bb);
  llvm::PHINode* phi = b_.CreatePHI(t->getType(), 2, name);
  phi->addIncoming(t, then_end);
  phi->addIncoming(e, else_end);
  return phi;
}

llvm::Value* KernelEmitter::expr(const ir::Expr& e) {
  if (!e.defined()) internal_error("an expression is undefined");
  const DataType t = e.dtype();
  switch (e.kind()) {
    case ExprKind::kIntImm: return int_constant(t, e.as<ir::IntImmNode>()->value);
    case ExprKind::kFloatImm: return float_constant(t, e.as<ir::FloatImmNode>()->value);
    case ExprKind::kVar: {
      auto it = vars_.find(e.as<ir::VarNode>());
      if (it == vars_.end()) {
        internal_error("variable `" + e.as<ir::VarNode>()->name +
                       "` is used where no loop or let binds it");
      }
      return it->second;
    }
    case ExprKind::kNot: return b_.CreateNot(expr(e.as<ir::NotNode>()->a));
    case ExprKind::kSelect: return select(e.as<ir::SelectNode>());
    case ExprKind::kCast: {
      const auto* c = e.as<ir::CastNode>();
      return cast(t, c->value.dtype(), expr(c->value));
    }
    case ExprKind::kBufferLoad: return buffer_load(e.as<ir::BufferLoadNode>());
    case ExprKind::kCall: return call(e.as<ir::CallNode>());
    case ExprKind::kRamp: return ramp(e.as<ir::RampNode>());
    case ExprKind::kBroadcast: {
      const auto* bc = e.as<ir::BroadcastNode>();
      return b_.CreateVectorSplat(bc->lanes, expr(bc->value));
    }
    case ExprKind::kLet: return let(e.as<ir::LetNode>());
    default: break;
  }
  if (!ir::is_binary(e.kind())) internal_error("unknown expression kind");
  return binary(e.as<ir::BinaryNode>(), t);
}

llvm::Value* KernelEmitter::binary(const ir::BinaryNode* op, DataType t) {
  const DataType operand = op->a.dtype();
  if (operand != op->b.dtype()) {
    internal_error(std::string("the operands of `") + ir::binary_op_name(op->kind) +
                   "` have types " + operand.str() + " and " + op->b.dtype().str());
  }
  if (op->kind == ExprKind::kAnd || op->kind == ExprKind::kOr) return logical(op);
  if (ir::is_comparison(op->kind)) return compare(op->kind, expr(op->a), expr(op->b), operand);
  llvm::Value* a = expr(op->a);
  llvm::Value* b = expr(op->b);
  if (operand.is_float()) return float_binary(op->kind, a, b, t);
  return int_binary(op->kind, a, b, t);
}

llvm::Value* KernelEmitter::float_binary(ExprKind kind, llvm::Value* a, llvm::Value* b,
                                         DataType t) {
  llvm::Value* x = to_arith(a, t);
  llvm::Value* y = to_arith(b, t);
  // float16 rounds after every operation, as the interpreter does. With
  // contraction allowed, a CPU with native float16 arithmetic (AVX512-FP16:
  // Sapphire Rapids) narrows the float operations back to half and fuses a
  // multiply and an add into one FMA, which rounds once.
  llvm::IRBuilderBase::FastMathFlagGuard per_operation(b_);
  if (t.bits() == 16) b_.clearFastMathFlags();
  switch (kind) {
    case ExprKind::kAdd: return from_arith(b_.CreateFAdd(x, y), t);
    case ExprKind::kSub: return from_arith(b_.CreateFSub(x, y), t);
    case ExprKind::kMul: return from_arith(b_.CreateFMul(x, y), t);
    case ExprKind::kDiv: {
      // A division may become a multiplication by the reciprocal: LICM then
      // computes a loop-invariant divisor's reciprocal once, outside the
      // loop (a layernorm's or softmax's per-row divisor), instead of a
      // division per element, one rounding apart.
      if (t.bits() >= 32) {
        llvm::FastMathFlags flags = b_.getFastMathFlags();
        flags.setAllowReciprocal(true);
        b_.setFastMathFlags(flags);
      }
      return from_arith(b_.CreateFDiv(x, y), t);
    }
    case ExprKind::kFloorDiv:
    case ExprKind::kFloorMod: {
      // The interpreter computes floor(x / y) in double before rounding: in
      // float32, a quotient just below an integer could round up to it.
      llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
      b_.clearFastMathFlags();
      const DataType wide = DataType::Float(64, t.lanes());
      llvm::Value* xd = cast(wide, t, a);
      llvm::Value* yd = cast(wide, t, b);
      llvm::Value* q = b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, b_.CreateFDiv(xd, yd));
      llvm::Value* r = kind == ExprKind::kFloorDiv ? q : b_.CreateFSub(xd, b_.CreateFMul(q, yd));
      return cast(t, wide, r);
    }
    case ExprKind::kMin: return b_.CreateSelect(b_.CreateFCmpOLT(x, y), a, b);
    case ExprKind::kMax: return b_.CreateSelect(b_.CreateFCmpOLT(y, x), a, b);
    default: break;
  }
  internal_error(std::string("`") + ir::binary_op_name(kind) + "` on " + t.str());
}

llvm::Value* KernelEmitter::int_binary(ExprKind kind, llvm::Value* a, llvm::Value* b, DataType t) {
  const bool is_signed = t.is_int();
  switch (kind) {
    case ExprKind::kAdd: return b_.CreateAdd(a, b);
    case ExprKind::kSub: return b_.CreateSub(a, b);
    case ExprKind::kMul: return b_.CreateMul(a, b);
    case ExprKind::kMin:
      return b_.CreateSelect(is_signed ? b_.CreateICmpSLT(a, b) : b_.CreateICmpULT(a, b), a, b);
    case ExprKind::kMax:
      return b_.CreateSelect(is_signed ? b_.CreateICmpSLT(b, a) : b_.CreateICmpULT(b, a), a, b);
    default: break;
  }
  const bool division =
      kind == ExprKind::kDiv || kind == ExprKind::kFloorDiv || kind == ExprKind::kFloorMod;
  if (!division || t.is_bool())
    internal_error(std::string("`") + ir::binary_op_name(kind) + "` on " + t.str());
  if (!is_signed) return kind == ExprKind::kFloorMod ? b_.CreateURem(a, b) : b_.CreateUDiv(a, b);
  // MIN / -1 overflows (undefined in LLVM, a trap on x86); the interpreter
  // wraps it like every other operation, so divide by 1 instead and negate.
  llvm::Type* type = a->getType();
  llvm::Value* zero = llvm::Constant::getNullValue(type);
  llvm::Value* minus_one = b_.CreateICmpEQ(b, llvm::Constant::getAllOnesValue(type));
  llvm::Value* divisor = b_.CreateSelect(minus_one, llvm::ConstantInt::get(type, 1), b);
  llvm::Value* negated = b_.CreateSub(zero, a);
  if (kind == ExprKind::kDiv) {
    return b_.CreateSelect(minus_one, negated, b_.CreateSDiv(a, divisor));
  }
  // Floor semantics: a non-zero remainder whose sign differs from the
  // divisor's means the truncated quotient is one too large.
  llvm::Value* r = b_.CreateSRem(a, divisor);
  llvm::Value* signs_differ =
      b_.CreateICmpNE(b_.CreateICmpSLT(r, zero), b_.CreateICmpSLT(divisor, zero));
  llvm::Value* adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero), signs_differ);
  if (kind == ExprKind::kFloorMod) return b_.CreateAdd(r, b_.CreateSelect(adjust, divisor, zero));
  llvm::Value* q = b_.CreateSub(b_.CreateSDiv(a, divisor), b_.CreateZExt(adjust, type));
  return b_.CreateSelect(minus_one, negated, q);
}

llvm::Value* KernelEmitter::compare(ExprKind kind, llvm::Value* a, llvm::Value* b, DataType t) {
  if (t.is_float()) {
    llvm::Value* x = to_arith(a, t);
    llvm::Value* y = to_arith(b, t);
    switch (kind) {
      case ExprKind::kEQ: return b_.CreateFCmpOEQ(x, y);
      case ExprKind::kNE: return b_.CreateFCmpUNE(x, y);
      case ExprKind::kLT: return b_.CreateFCmpOLT(x, y);
      case ExprKind::kLE: return b_.CreateFCmpOLE(x, y);
      case ExprKind::kGT: return b_.CreateFCmpOGT(x, y);
      case ExprKind::kGE: return b_.CreateFCmpOGE(x, y);
      default: break;
    }
  } else {
    // Bools compare as 0 < 1, like unsigned integers.
    const bool s = t.is_int();
    switch (kind) {
      case ExprKind::kEQ: return b_.CreateICmpEQ(a, b);
      case ExprKind::kNE: return b_.CreateICmpNE(a, b);
      case ExprKind::kLT: return s ? b_.CreateICmpSLT(a, b) : b_.CreateICmpULT(a, b);
      case ExprKind::kLE: return s ? b_.CreateICmpSLE(a, b) : b_.CreateICmpULE(a, b);
      case ExprKind::kGT: return s ? b_.CreateICmpSGT(a, b) : b_.CreateICmpUGT(a, b);
      case ExprKind::kGE: return s ? b_.CreateICmpSGE(a, b) : b_.CreateICmpUGE(a, b);
      default: break;
    }
  }
  internal_error("not a comparison");
}

llvm::Value* KernelEmitter::logical(const ir::BinaryNode* op) {
  if (!op->a.dtype().is_bool()) internal_error("`and`/`or` of " + op->a.dtype().str());
  const bool is_and = op->kind == ExprKind::kAnd;
  if (op->dtype.is_scalar() && may_fault(op->b)) {
    // Short-circuit, so that `i < n and A[i] > 0` never loads A[n].
    llvm::Value* a = expr(op->a);
    auto right = [&] { return expr(op->b); };
    auto constant = [&]() -> llvm::Value* { return b_.getInt1(!is_and); };
    return is_and ? branch_value(a, right, constant, "and")
                  : branch_value(a, constant, right, "or");
  }
  llvm::Value* a = expr(op->a);
  llvm::Value* b = expr(op->b);
  return is_and ? b_.CreateAnd(a, b) : b_.CreateOr(a, b);
}

llvm::Value* KernelEmitter::select(const ir::SelectNode* op) {
  const bool guarded = may_fault(op->true_value) || may_fault(op->false_value);
  if (op->condition.dtype().is_scalar()) {
    llvm::Value* cond = expr(op->condition);
    if (guarded) {
      // Only the chosen operand runs: padding reads `select(0 <= i - 1,
      // X[i - 1], 0)`, whose load is out of bounds when not chosen.
      return branch_value(
          cond, [&] { return expr(op->true_value); }, [&] { return expr(op->false_value); },
          "select");
    }
    llvm::Value* t = expr(op->true_value);
    return b_.CreateSelect(cond, t, expr(op->false_value));
  }
  llvm::Value* cond = expr(op->condition);
  if (!guarded) {
    llvm::Value* t = expr(op->true_value);
    return b_.CreateSelect(cond, t, expr(op->false_value));
  }
  // Vector loads of each operand run only in the lanes that choose it.
  llvm::Value* outer = load_mask_;
  llvm::Value* not_cond = b_.CreateNot(cond);
  load_mask_ = outer ? b_.CreateAnd(outer, cond) : cond;
  llvm::Value* t = expr(op->true_value);
  load_mask_ = outer ? b_.CreateAnd(outer, not_cond) : not_cond;
  llvm::Value* f = expr(op->false_value);
  load_mask_ = outer;
  return b_.CreateSelect(cond, t, f);
}

llvm::Value* KernelEmitter::ramp(const ir::RampNode* op) {
  const DataType t = op->dtype;
  const int lanes = op->lanes;
  llvm::Value* base = expr(op->base);
  llvm::Value* stride = expr(op->stride);
  if (t.is_float()) {
    // Lane l is base + l * stride computed in double, then rounded.
    const DataType wide = DataType::Float(64);
    llvm::Value* bd = b_.CreateVectorSplat(lanes, cast(wide, t.element_of(), base));
    llvm::Value* sd = b_.CreateVectorSplat(lanes, cast(wide, t.element_of(), stride));
    std::vector<llvm::Constant*> iota;
    for (int l = 0; l < lanes; ++l) iota.push_back(llvm::ConstantFP::get(b_.getDoubleTy(), l));
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    llvm::Value* v = b_.CreateFAdd(bd, b_.CreateFMul(sd, llvm::ConstantVector::get(iota)));
    return cast(t, wide.with_lanes(lanes), v);
  }
  std::vector<llvm::Constant*> iota;
  for (int l = 0; l < lanes; ++l) iota.push_back(llvm::ConstantInt::get(base->getType(), l));
  llvm::Value* offsets =
      b_.CreateMul(b_.CreateVectorSplat(lanes, stride), llvm::ConstantVector::get(iota));
  return b_.CreateAdd(b_.CreateVectorSplat(lanes, base), offsets);
}

llvm::Value* KernelEmitter::let(const ir::LetNode* op) {
  llvm::Value* value = expr(op->value);
  ScopedBinding bind(&vars_, op->var.get(), value);
  return expr(op->body);
}

// libmvec's variants (vector_library.h) take 4 or 8 float lanes, and the
// code generator maps only those widths: a wider exp, log or pow is made of
// 8-lane (or 4-lane) calls, else LLVM would call libm once per lane.
llvm::Value* KernelEmitter::math_intrinsic(llvm::Intrinsic::ID id,
                                           const std::vector<llvm::Value*>& args) {
  llvm::Type* type = args[0]->getType();
  auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(type);
  const bool mapped = id == llvm::Intrinsic::exp || id == llvm::Intrinsic::log ||
                      id == llvm::Intrinsic::pow;
  const int lanes = vector ? static_cast<int>(vector->getNumElements()) : 1;
  const int chunk = lanes % kVectorLibraryLanes == 0 ? kVectorLibraryLanes
                    : lanes % 4 == 0                 ? 4
                                                     : lanes;
  if (!vector_library_ || !mapped || !vector || !vector->getElementType()->isFloatTy() ||
      chunk == lanes)
    return b_.CreateIntrinsic(id, {type}, args);
  std::vector<llvm::Value*> parts;
  for (int at = 0; at < lanes; at += chunk) {
    std::vector<int> indices(static_cast<size_t>(chunk));
    std::iota(indices.begin(), indices.end(), at);
    std::vector<llvm::Value*> part_args;
    for (llvm::Value* a : args) part_args.push_back(b_.CreateShuffleVector(a, indices));
    parts.push_back(b_.CreateIntrinsic(id, {part_args[0]->getType()}, part_args));
  }
  return llvm::concatenateVectors(b_, parts);
}

llvm::Value* KernelEmitter::call(const ir::CallNode* op) {
  const std::string name = ir::intrinsic_name(op->op);
  if (op->op == ir::Intrinsic::kSigmoid || op->op == ir::Intrinsic::kRsqrt) {
    internal_error(name + " reached the backend: the lowering pass that expands it did not run");
  }
  if (static_cast<int>(op->args.size()) != ir::intrinsic_arity(op->op)) {
    internal_error(name + " with " + std::to_string(op->args.size()) + " arguments");
  }
  const DataType arg_type = op->args[0].dtype();
  if (!arg_type.is_float()) internal_error(name + " of " + arg_type.str());
  std::vector<llvm::Value*> args;
  for (const ir::Expr& a : op->args) args.push_back(to_arith(expr(a), arg_type));
  llvm::Value* x = args[0];
  if (op->op == ir::Intrinsic::kIsNan) return b_.CreateFCmpUNO(x, x);

  auto unary = [&](llvm::Intrinsic::ID id) { return math_intrinsic(id, {x}); };
  llvm::Value* r = nullptr;
  switch (op->op) {
    case ir::Intrinsic::kExp: r = unary(llvm::Intrinsic::exp); break;
    case ir::Intrinsic::kLog: r = unary(llvm::Intrinsic::log); break;
    case ir::Intrinsic::kSqrt: r = unary(llvm::Intrinsic::sqrt); break;
    case ir::Intrinsic::kFabs: r = unary(llvm::Intrinsic::fabs); break;
    case ir::Intrinsic::kFloor: r = unary(llvm::Intrinsic::floor); break;
    case ir::Intrinsic::kCeil: r = unary(llvm::Intrinsic::ceil); break;
    // std::round: halfway cases away from zero, which llvm.round also does.
    case ir::Intrinsic::kRound: r = unary(llvm::Intrinsic::round); break;
    case ir::Intrinsic::kPow: r = math_intrinsic(llvm::Intrinsic::pow, {x, args[1]}); break;
    case ir::Intrinsic::kFma:
      r = b_.CreateIntrinsic(llvm::Intrinsic::fma, {x->getType()}, {x, args[1], args[2]});
      break;
    case ir::Intrinsic::kTanh:
    case ir::Intrinsic::kErf: {
      // No LLVM intrinsic: call libm, lane by lane for vectors.
      llvm::Type* scalar = x->getType()->getScalarType();
      const bool is_double = scalar->isDoubleTy();
      const char* fn = op->op == ir::Intrinsic::kTanh ? (is_double ? "tanh" : "tanhf")
                                                      : (is_double ? "erf" : "erff");
      llvm::FunctionCallee callee = module_->getOrInsertFunction(fn, scalar, scalar);
      if (auto* f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
        f->setDoesNotThrow();
        f->setOnlyAccessesInaccessibleMemory();
        f->setWillReturn();
      }
      if (!x->getType()->isVectorTy()) {
        r = b_.CreateCall(callee, {x});
        break;
      }
      const int lanes = arg_type.lanes();
      r = llvm::PoisonValue::get(x->getType());
      for (int l = 0; l < lanes; ++l) {
        llvm::Value* lane = b_.CreateCall(callee, {b_.CreateExtractElement(x, l)});
        r = b_.CreateInsertElement(r, lane, l);
      }
      break;
    }
    default: internal_error("intrinsic " + name + " has no LLVM mapping");
  }
  return from_arith(r, arg_type);
}

}  // namespace kiln::codegen::llvm_backend
