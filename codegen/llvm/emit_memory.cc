// Buffer loads and stores. A Ramp index of stride 1 is one vector access;
// any other vector index is a gather or scatter. Bools are bytes in memory.
#include "codegen/llvm/emitter.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/structural.h"

namespace kiln::codegen::llvm_backend {

namespace {

// The only index of a lowered access.
const ir::Expr& flat_index(const ir::Buffer& buffer, const std::vector<ir::Expr>& indices) {
  if (indices.size() != 1) {
    internal_error("an access to `" + buffer->name + "` has " + std::to_string(indices.size()) +
                   " indices; lowered buffers are flat");
  }
  return indices[0];
}

const ir::RampNode* contiguous_ramp(const ir::Expr& index) {
  const auto* ramp = index.as<ir::RampNode>();
  return ramp && ir::is_const_int(ramp->stride, 1) ? ramp : nullptr;
}

}  // namespace

llvm::Value* KernelEmitter::buffer_pointer(const ir::Buffer& b) {
  auto it = buffers_.find(b.get());
  if (it == buffers_.end()) {
    internal_error("buffer `" + b->name +
                   "` is accessed where it is neither a parameter nor allocated");
  }
  return it->second;
}

namespace {

// Indices are int32 or int64; addresses are computed in 64 bits.
llvm::Value* widen_index(llvm::IRBuilder<>& b, llvm::Value* index, ir::DataType t) {
  llvm::Type* i64 = b.getInt64Ty();
  if (auto* v = llvm::dyn_cast<llvm::FixedVectorType>(index->getType())) {
    i64 = llvm::FixedVectorType::get(i64, v->getNumElements());
  }
  return t.is_uint() ? b.CreateZExtOrTrunc(index, i64) : b.CreateSExtOrTrunc(index, i64);
}

}  // namespace

llvm::Value* KernelEmitter::buffer_load(const ir::BufferLoadNode* op) {
  const ir::Expr& index = flat_index(op->buffer, op->indices);
  const ir::DataType elem = op->buffer->dtype;
  const int lanes = op->dtype.lanes();
  if (op->dtype.element_of() != elem || index.dtype().lanes() != lanes) {
    internal_error("a " + op->dtype.str() + " load from `" + op->buffer->name + "` (" + elem.str() +
                   ") with a " + index.dtype().str() + " index");
  }
  llvm::Value* base = buffer_pointer(op->buffer);
  llvm::Type* elem_type = mem_type(elem);
  const llvm::Align align(elem.bytes());
  llvm::Value* value;
  if (lanes == 1) {
    llvm::Value* ptr =
        b_.CreateInBoundsGEP(elem_type, base, widen_index(b_, expr(index), index.dtype()));
    value = b_.CreateAlignedLoad(elem_type, ptr, align, op->buffer->name);
  } else {
    llvm::Type* vec_type = mem_type(op->dtype);
    // Under a mask, lanes that do not load may point outside the buffer:
    // their addresses must not be `inbounds` (that would make them poison).
    auto address = [&](llvm::Value* offset) {
      return load_mask_ ? b_.CreateGEP(elem_type, base, offset)
                        : b_.CreateInBoundsGEP(elem_type, base, offset);
    };
    if (const ir::RampNode* ramp = contiguous_ramp(index)) {
      llvm::Value* ptr = address(widen_index(b_, expr(ramp->base), ramp->base.dtype()));
      if (load_mask_) {
        value = b_.CreateMaskedLoad(vec_type, ptr, align, load_mask_);
      } else {
        value = b_.CreateAlignedLoad(vec_type, ptr, align, op->buffer->name);
      }
    } else {
      llvm::Value* ptrs = address(widen_index(b_, expr(index), index.dtype()));
      value = b_.CreateMaskedGather(vec_type, ptrs, align, load_mask_);
    }
  }
  if (elem.is_bool()) return b_.CreateICmpNE(value, llvm::Constant::getNullValue(value->getType()));
  return value;
}

namespace {

// How `op` accumulates a float into the element it stores to: `x[i] =
// x[i] + e` (or `e + x[i]`), what a sum reduction lowers to, or `x[i] =
// max(x[i], e)` (min), what a max (min) reduction lowers to.
enum class Accumulation { kNone, kSum, kExtremum };

Accumulation float_accumulation(const ir::BufferStoreNode* op) {
  const ir::DataType t = op->value.dtype();
  if (!t.is_float() || t.bits() < 32) return Accumulation::kNone;
  const auto* update = op->value.as<ir::BinaryNode>();
  if (!update) return Accumulation::kNone;
  auto is_target = [&](const ir::Expr& e) {
    const auto* load = e.as<ir::BufferLoadNode>();
    if (!load || load->buffer.get() != op->buffer.get() ||
        load->indices.size() != op->indices.size())
      return false;
    for (size_t i = 0; i < load->indices.size(); ++i)
      if (!ir::structural_equal(load->indices[i], op->indices[i])) return false;
    return true;
  };
  if (!is_target(update->a) && !is_target(update->b)) return Accumulation::kNone;
  switch (update->kind) {
    case ir::ExprKind::kAdd: return Accumulation::kSum;
    case ir::ExprKind::kMax:
    case ir::ExprKind::kMin: return Accumulation::kExtremum;
    default: return Accumulation::kNone;
  }
}

}  // namespace

void KernelEmitter::buffer_store(const ir::BufferStoreNode* op) {
  const ir::Expr& index = flat_index(op->buffer, op->indices);
  const ir::DataType elem = op->buffer->dtype;
  const int lanes = op->value.dtype().lanes();
  if (op->value.dtype().element_of() != elem || index.dtype().lanes() != lanes) {
    internal_error("a " + op->value.dtype().str() + " store to `" + op->buffer->name + "` (" +
                   elem.str() + ") with a " + index.dtype().str() + " index");
  }
  llvm::Value* base = buffer_pointer(op->buffer);
  llvm::Type* elem_type = mem_type(elem);
  const llvm::Align align(elem.bytes());
  llvm::Value* value = nullptr;
  {
    // A sum may be reassociated, as every vectorized or parallel reduction
    // already is: LLVM then keeps a running sum in registers across a serial
    // reduction loop and vectorizes the loop (several partial sums). Without
    // it a row sum adds one float at a time, each waiting for the last.
    //
    // A max (min) reduction vectorizes only where LLVM may assume no NaN
    // (and ignore the sign of zeros): the compare-and-select of the update
    // carries those flags, its operands do not (an isnan in `e` still
    // tests). So a max over data holding a NaN gives an unspecified
    // element, where the interpreter's `y < x ? x : y` keeps the NaN only
    // when it comes last: order-dependent either way, and a softmax's or a
    // pool's NaN still reaches its output through the arithmetic after.
    llvm::IRBuilderBase::FastMathFlagGuard accumulation(b_);
    llvm::FastMathFlags flags = b_.getFastMathFlags();
    switch (float_accumulation(op)) {
      case Accumulation::kNone: value = expr(op->value); break;
      case Accumulation::kSum:
        flags.setAllowReassoc(true);
        b_.setFastMathFlags(flags);
        value = expr(op->value);
        break;
      case Accumulation::kExtremum: {
        const auto* update = op->value.as<ir::BinaryNode>();
        llvm::Value* a = expr(update->a);
        llvm::Value* b = expr(update->b);
        flags.setAllowReassoc(true);
        flags.setNoNaNs(true);
        flags.setNoSignedZeros(true);
        b_.setFastMathFlags(flags);
        value = float_binary(update->kind, a, b, op->value.dtype());
        break;
      }
    }
  }
  if (elem.is_bool()) value = b_.CreateZExt(value, mem_type(op->value.dtype()));
  if (lanes == 1) {
    llvm::Value* ptr =
        b_.CreateInBoundsGEP(elem_type, base, widen_index(b_, expr(index), index.dtype()));
    b_.CreateAlignedStore(value, ptr, align);
  } else if (const ir::RampNode* ramp = contiguous_ramp(index)) {
    llvm::Value* ptr = b_.CreateInBoundsGEP(elem_type, base,
                                            widen_index(b_, expr(ramp->base), ramp->base.dtype()));
    b_.CreateAlignedStore(value, ptr, align);
  } else {
    // Lanes are written in order, so the last of equal indices wins.
    llvm::Value* ptrs =
        b_.CreateInBoundsGEP(elem_type, base, widen_index(b_, expr(index), index.dtype()));
    b_.CreateMaskedScatter(value, ptrs, align);
  }
}

}  // namespace kiln::codegen::llvm_backend
