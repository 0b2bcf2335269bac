// Casts between every pair of bool, int/uint 8-64, float16/32/64 and
// bfloat16, with the interpreter's semantics (ir/interpreter/scalar.h):
// integers wrap; floats round to nearest even, converted once (a value bound
// for a 16-bit float is first rounded to odd in float, which keeps the final
// rounding exact); float to integer truncates toward zero, NaN gives 0 and
// values beyond int64 clamp to its range before wrapping.
#include <llvm/IR/Intrinsics.h>

#include "codegen/llvm/emitter.h"

namespace kiln::codegen::llvm_backend {

using ir::DataType;

namespace {

llvm::Type* with_scalar(llvm::Type* like, llvm::Type* scalar) {
  if (auto* v = llvm::dyn_cast<llvm::FixedVectorType>(like)) {
    return llvm::FixedVectorType::get(scalar, v->getNumElements());
  }
  return scalar;
}

}  // namespace

llvm::Value* KernelEmitter::bfloat16_to_float(llvm::Value* bits) {
  llvm::Type* i32 = with_scalar(bits->getType(), b_.getInt32Ty());
  llvm::Value* wide = b_.CreateShl(b_.CreateZExt(bits, i32), 16);
  return b_.CreateBitCast(wide, with_scalar(bits->getType(), b_.getFloatTy()));
}

llvm::Value* KernelEmitter::float_to_bfloat16(llvm::Value* f) {
  llvm::Type* i32 = with_scalar(f->getType(), b_.getInt32Ty());
  llvm::Value* bits = b_.CreateBitCast(f, i32);
  llvm::Value* high = b_.CreateLShr(bits, 16);
  // Round to nearest even: add 0x7FFF plus the lowest kept bit; a carry
  // into the exponent (up to inf) is the right result.
  llvm::Value* lsb = b_.CreateAnd(high, llvm::ConstantInt::get(i32, 1));
  llvm::Value* rounded =
      b_.CreateLShr(b_.CreateAdd(bits, b_.CreateAdd(lsb, llvm::ConstantInt::get(i32, 0x7FFF))), 16);
  // NaN stays a NaN: keep the top of the payload and set the quiet bit.
  llvm::Value* nan = b_.CreateOr(high, llvm::ConstantInt::get(i32, 0x40));
  llvm::Value* result = b_.CreateSelect(b_.CreateFCmpUNO(f, f), nan, rounded);
  return b_.CreateTrunc(result, with_scalar(f->getType(), b_.getInt16Ty()));
}

llvm::Value* KernelEmitter::double_to_float_round_to_odd(llvm::Value* d) {
  llvm::Type* f32 = with_scalar(d->getType(), b_.getFloatTy());
  llvm::Type* i32 = with_scalar(d->getType(), b_.getInt32Ty());
  llvm::Value* nearest = b_.CreateFPTrunc(d, f32);
  llvm::Value* back = b_.CreateFPExt(nearest, d->getType());
  // Truncate toward zero (one step back when rounding went away from zero),
  // then mark an inexact result by setting the lowest bit.
  llvm::Value* away = b_.CreateFCmpOGT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, back),
                                       b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, d));
  llvm::Value* inexact = b_.CreateFCmpONE(back, d);
  llvm::Value* bits = b_.CreateBitCast(nearest, i32);
  bits = b_.CreateSub(bits, b_.CreateZExt(away, i32));
  bits = b_.CreateOr(bits, b_.CreateZExt(inexact, i32));
  return b_.CreateBitCast(bits, f32);
}

llvm::Value* KernelEmitter::integer_to_float_round_to_odd(llvm::Value* v, bool is_signed) {
  llvm::Type* i64 = with_scalar(v->getType(), b_.getInt64Ty());
  llvm::Type* f32 = with_scalar(v->getType(), b_.getFloatTy());
  llvm::Value* wide = is_signed ? b_.CreateSExtOrTrunc(v, i64) : b_.CreateZExtOrTrunc(v, i64);
  llvm::Value* zero = llvm::Constant::getNullValue(i64);
  llvm::Value* negative = is_signed ? b_.CreateICmpSLT(wide, zero) : nullptr;
  llvm::Value* magnitude =
      negative ? b_.CreateSelect(negative, b_.CreateSub(zero, wide), wide) : wide;
  // Keep the top 24 significant bits and fold the rest into the lowest kept
  // bit, so that the conversion to float below is exact.
  llvm::Value* width =
      b_.CreateSub(llvm::ConstantInt::get(i64, 64),
                   b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, magnitude, b_.getFalse()));
  llvm::Value* excess = b_.CreateSub(width, llvm::ConstantInt::get(i64, 24));
  llvm::Value* shift = b_.CreateSelect(b_.CreateICmpSGT(excess, zero), excess, zero);
  llvm::Value* unit = b_.CreateShl(llvm::ConstantInt::get(i64, 1), shift);
  llvm::Value* mask = b_.CreateSub(unit, llvm::ConstantInt::get(i64, 1));
  llvm::Value* dropped = b_.CreateAnd(magnitude, mask);
  llvm::Value* kept = b_.CreateAnd(magnitude, b_.CreateNot(mask));
  llvm::Value* sticky = b_.CreateSelect(b_.CreateICmpNE(dropped, zero), unit, zero);
  llvm::Value* f = b_.CreateUIToFP(b_.CreateOr(kept, sticky), f32);
  return negative ? b_.CreateSelect(negative, b_.CreateFNeg(f), f) : f;
}

llvm::Value* KernelEmitter::to_arith(llvm::Value* v, DataType t) {
  if (t.is_bfloat16()) return bfloat16_to_float(v);
  if (t.is_float() && t.bits() == 16) {
    return b_.CreateFPExt(v, with_scalar(v->getType(), b_.getFloatTy()));
  }
  return v;
}

llvm::Value* KernelEmitter::from_arith(llvm::Value* v, DataType t) {
  if (t.is_bfloat16()) return float_to_bfloat16(v);
  if (t.is_float() && t.bits() == 16) {
    return b_.CreateFPTrunc(v, with_scalar(v->getType(), b_.getHalfTy()));
  }
  return v;
}

llvm::Value* KernelEmitter::cast(DataType to, DataType from, llvm::Value* v) {
  if (to.lanes() != from.lanes()) {
    internal_error("cast of " + from.str() + " to " + to.str() + ": lane counts differ");
  }
  if (to == from) return v;
  llvm::Type* target = reg_type(to);
  if (to.is_bool()) {
    if (from.is_float()) {
      llvm::Value* x = to_arith(v, from);
      return b_.CreateFCmpUNE(x, llvm::Constant::getNullValue(x->getType()));
    }
    return b_.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
  }
  if (from.is_bool() || from.is_integer()) {
    const bool is_signed = from.is_int();
    if (to.is_integer()) {
      return is_signed ? b_.CreateSExtOrTrunc(v, target) : b_.CreateZExtOrTrunc(v, target);
    }
    if (to.bits() >= 32) {
      return is_signed ? b_.CreateSIToFP(v, target) : b_.CreateUIToFP(v, target);
    }
    // A 16-bit float: integers of up to 16 bits are exact in float.
    llvm::Value* f = from.bits() <= 16
                         ? (is_signed ? b_.CreateSIToFP(v, with_scalar(target, b_.getFloatTy()))
                                      : b_.CreateUIToFP(v, with_scalar(target, b_.getFloatTy())))
                         : integer_to_float_round_to_odd(v, is_signed);
    return from_arith(f, to);
  }
  // From a float: 16-bit formats widen exactly to float first.
  llvm::Value* x = to_arith(v, from);
  const bool from_double = from.bits() == 64;
  if (to.is_float()) {
    if (to.bits() == 64) return from_double ? x : b_.CreateFPExt(x, target);
    if (to.bits() == 32) return from_double ? b_.CreateFPTrunc(x, target) : x;
    llvm::Value* f = from_double ? double_to_float_round_to_odd(x) : x;
    return from_arith(f, to);
  }
  llvm::Type* i64 = with_scalar(target, b_.getInt64Ty());
  llvm::Value* clamped = b_.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {i64, x->getType()}, {x});
  if (to.is_uint() && to.bits() == 64) {
    // From 2^63 on the value only fits as unsigned (and saturates to all ones).
    llvm::Value* big =
        b_.CreateFCmpOGE(x, llvm::ConstantFP::get(x->getType(), 9223372036854775808.0));
    llvm::Value* as_unsigned =
        b_.CreateIntrinsic(llvm::Intrinsic::fptoui_sat, {i64, x->getType()}, {x});
    return b_.CreateSelect(big, as_unsigned, clamped);
  }
  return b_.CreateTrunc(clamped, target);
}

}  // namespace kiln::codegen::llvm_backend
