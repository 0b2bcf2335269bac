// Statements: stores, loops, conditionals, lets and allocations.
#include <llvm/IR/MDBuilder.h>

#include <algorithm>

#include "codegen/build.h"
#include "codegen/llvm/emitter.h"
#include "ir/buffer.h"
#include "runtime/c_api.h"

namespace kiln::codegen::llvm_backend {

void KernelEmitter::stmt(const ir::Stmt& s) {
  if (!s.defined()) return;
  switch (s.kind()) {
    case ir::StmtKind::kBufferStore: return buffer_store(s.as<ir::BufferStoreNode>());
    case ir::StmtKind::kFor: return for_loop(s.as<ir::ForNode>());
    case ir::StmtKind::kSeq:
      for (const ir::Stmt& child : s.as<ir::SeqStmtNode>()->seq) stmt(child);
      return;
    case ir::StmtKind::kIfThenElse: return if_then_else(s.as<ir::IfThenElseNode>());
    case ir::StmtKind::kEvaluate: {
      const ir::Expr& value = s.as<ir::EvaluateNode>()->value;
      if (value.defined() && !value.dtype().is_void()) expr(value);
      return;
    }
    case ir::StmtKind::kLetStmt: {
      const auto* op = s.as<ir::LetStmtNode>();
      ScopedBinding bind(&vars_, op->var.get(), expr(op->value));
      return stmt(op->body);
    }
    case ir::StmtKind::kAllocate: return allocate(s.as<ir::AllocateNode>());
    case ir::StmtKind::kBlock:
    case ir::StmtKind::kBlockRealize:
      internal_error("a block reached the backend; lower() replaces blocks by their bodies");
  }
}

void KernelEmitter::for_loop(const ir::ForNode* op) {
  switch (op->for_kind) {
    case ir::ForKind::kThreadBinding:
      throw BuildError("loop `" + op->loop_var->name + "` of kernel `" + kernel_name_ +
                       "` is bound to " + op->thread_tag +
                       ": this is a GPU schedule, and the target is llvm (a CPU). Build it for a "
                       "cuda or opencl target, or schedule it for the CPU (parallel/vectorize "
                       "instead of bind).");
    case ir::ForKind::kParallel: return parallel_loop(op);
    default: break;
  }
  llvm::Value* begin = expr(op->min);
  llvm::Value* end = b_.CreateAdd(begin, expr(op->extent));
  serial_loop(op, begin, end);
}

void KernelEmitter::serial_loop(const ir::ForNode* op, llvm::Value* begin, llvm::Value* end) {
  const std::string& name = op->loop_var->name;
  llvm::Function* f = fn_.function;
  llvm::BasicBlock* before = b_.GetInsertBlock();
  auto* body_bb = llvm::BasicBlock::Create(ctx_, name + ".body", f);
  auto* exit_bb = llvm::BasicBlock::Create(ctx_, name + ".end", f);
  b_.CreateCondBr(b_.CreateICmpSLT(begin, end), body_bb, exit_bb);

  b_.SetInsertPoint(body_bb);
  llvm::PHINode* var = b_.CreatePHI(begin->getType(), 2, name);
  var->addIncoming(begin, before);
  {
    ScopedBinding bind(&vars_, op->loop_var.get(), static_cast<llvm::Value*>(var));
    stmt(op->body);
  }
  // var < end, so var + 1 cannot overflow.
  llvm::Value* next =
      b_.CreateNSWAdd(var, llvm::ConstantInt::get(var->getType(), 1), name + ".next");
  var->addIncoming(next, b_.GetInsertBlock());
  llvm::BranchInst* latch = b_.CreateCondBr(b_.CreateICmpSLT(next, end), body_bb, exit_bb);
  if (op->for_kind == ir::ForKind::kUnrolled) {
    llvm::MDNode* full =
        llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.unroll.full")});
    llvm::MDNode* loop = llvm::MDNode::getDistinct(ctx_, {nullptr, full});
    loop->replaceOperandWith(0, loop);
    latch->setMetadata(llvm::LLVMContext::MD_loop, loop);
  }
  b_.SetInsertPoint(exit_bb);
}

void KernelEmitter::if_then_else(const ir::IfThenElseNode* op) {
  if (!op->condition.dtype().is_bool() || !op->condition.dtype().is_scalar()) {
    internal_error("an if condition of type " + op->condition.dtype().str());
  }
  llvm::Function* f = fn_.function;
  auto* then_bb = llvm::BasicBlock::Create(ctx_, "if.then", f);
  auto* end_bb = llvm::BasicBlock::Create(ctx_, "if.end", f);
  auto* else_bb = op->else_case.defined() ? llvm::BasicBlock::Create(ctx_, "if.else", f) : end_bb;
  b_.CreateCondBr(expr(op->condition), then_bb, else_bb);
  b_.SetInsertPoint(then_bb);
  stmt(op->then_case);
  b_.CreateBr(end_bb);
  if (op->else_case.defined()) {
    b_.SetInsertPoint(else_bb);
    stmt(op->else_case);
    b_.CreateBr(end_bb);
  }
  b_.SetInsertPoint(end_bb);
}

llvm::AllocaInst* KernelEmitter::entry_alloca(llvm::Type* type, llvm::Value* count, int align,
                                              const std::string& name) {
  // In the entry block, so that a loop around the allocation reuses one slot
  // and the optimizer sees a fixed frame.
  llvm::IRBuilder<> entry(fn_.entry, fn_.entry->getFirstInsertionPt());
  llvm::AllocaInst* a = entry.CreateAlloca(type, count, name);
  a->setAlignment(llvm::Align(align));
  return a;
}

void KernelEmitter::return_error_if(llvm::Value* failed, llvm::Value* code) {
  llvm::Function* f = fn_.function;
  auto* error_bb = llvm::BasicBlock::Create(ctx_, "error", f);
  auto* ok_bb = llvm::BasicBlock::Create(ctx_, "ok", f);
  b_.CreateCondBr(failed, error_bb, ok_bb, llvm::MDBuilder(ctx_).createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(error_bb);
  llvm::Function* free_fn = declare_runtime_function("free", b_.getVoidTy(), {b_.getPtrTy()});
  for (auto it = fn_.heap_allocations.rbegin(); it != fn_.heap_allocations.rend(); ++it) {
    b_.CreateCall(free_fn, {*it});
  }
  b_.CreateRet(code);
  b_.SetInsertPoint(ok_bb);
}

void KernelEmitter::allocate(const ir::AllocateNode* op) {
  const ir::Buffer& buffer = op->buffer;
  // A CPU has no thread blocks: "shared" memory is ordinary memory of the one
  // thread that runs the block, as in the interpreter.
  if (buffer->scope != "global" && buffer->scope != "local" && buffer->scope != "shared") {
    throw BuildError("buffer `" + buffer->name + "` of kernel `" + kernel_name_ +
                     "` has storage scope `" + buffer->scope +
                     "`, which only GPU targets have; the target is llvm (a CPU). Use scope "
                     "`global`, `shared` or `local` (set_scope) for the CPU.");
  }
  llvm::Type* elem = mem_type(buffer->dtype);
  const int64_t count = std::max<int64_t>(ir::num_elements(buffer), 1);
  const int64_t bytes = count * buffer->dtype.bytes();
  buffer_alignment_[buffer.get()] = kAllocationAlignment;
  if (bytes <= kMaxStackAllocationBytes) {
    llvm::Value* p = entry_alloca(elem, b_.getInt64(count), kAllocationAlignment, buffer->name);
    ScopedBinding bind(&buffers_, buffer.get(), p);
    stmt(op->body);
    return;
  }
  llvm::Function* aligned_alloc =
      declare_runtime_function("aligned_alloc", b_.getPtrTy(), {b_.getInt64Ty(), b_.getInt64Ty()});
  const int64_t rounded =
      (bytes + kAllocationAlignment - 1) / kAllocationAlignment * kAllocationAlignment;
  llvm::Value* p = b_.CreateCall(
      aligned_alloc, {b_.getInt64(kAllocationAlignment), b_.getInt64(rounded)}, buffer->name);
  return_error_if(b_.CreateIsNull(p), b_.getInt32(KILN_ERROR_WORKSPACE));
  fn_.heap_allocations.push_back(p);
  {
    ScopedBinding bind(&buffers_, buffer.get(), p);
    stmt(op->body);
  }
  fn_.heap_allocations.pop_back();
  b_.CreateCall(declare_runtime_function("free", b_.getVoidTy(), {b_.getPtrTy()}), {p});
}

}  // namespace kiln::codegen::llvm_backend
