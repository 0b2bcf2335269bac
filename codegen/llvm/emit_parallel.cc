// Parallel loops: the body is outlined into
//   int32_t <kernel>__parallelK(int64_t begin, int64_t end, void* closure)
// (kiln_parallel_body in runtime/c_api.h), where the closure holds every
// value the body uses from outside: buffer pointers (parameters and
// allocations) and scalars (enclosing loop and let variables). The loop
// calls it through the module's __kiln_parallel_for, or directly over the
// whole range while that is null.
//
// The wrapper only unpacks the closure and calls an internal function that
// takes the buffers as noalias parameters; once the inliner folds it into
// the wrapper, that becomes scoped alias metadata, so the body vectorizes
// as well as the kernel it came from.
#include <algorithm>

#include "codegen/llvm/emitter.h"
#include "ir/buffer.h"
#include "ir/functor.h"

namespace kiln::codegen::llvm_backend {

namespace {

// The variables and buffers a statement uses that are bound outside it, in
// order of first use.
class CaptureFinder : public ir::IRVisitor {
 public:
  CaptureFinder(const std::unordered_map<const ir::VarNode*, llvm::Value*>& vars,
                const std::unordered_map<const ir::BufferNode*, llvm::Value*>& buffers)
      : outer_vars_(vars), outer_buffers_(buffers) {}
  std::vector<const ir::VarNode*> vars;
  std::vector<ir::Buffer> buffers;

 protected:
  void visit_var(const ir::VarNode* op) override {
    if (outer_vars_.count(op) && std::find(vars.begin(), vars.end(), op) == vars.end()) {
      vars.push_back(op);
    }
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    use(op->buffer);
    IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    use(op->buffer);
    IRVisitor::visit_buffer_store(op);
  }

 private:
  void use(const ir::Buffer& b) {
    if (outer_buffers_.count(b.get()) &&
        std::find(buffers.begin(), buffers.end(), b) == buffers.end()) {
      buffers.push_back(b);
    }
  }
  const std::unordered_map<const ir::VarNode*, llvm::Value*>& outer_vars_;
  const std::unordered_map<const ir::BufferNode*, llvm::Value*>& outer_buffers_;
};

}  // namespace

void KernelEmitter::parallel_loop(const ir::ForNode* op) {
  // Step 1. What the body needs from here: its captures, its range.
  CaptureFinder captures(vars_, buffers_);
  captures.visit(op->body);
  llvm::Value* min = expr(op->min);
  llvm::Value* extent = expr(op->extent);
  std::vector<llvm::Value*> values;
  std::vector<llvm::Type*> types;
  for (const ir::Buffer& b : captures.buffers) {
    values.push_back(buffers_.at(b.get()));
    types.push_back(b_.getPtrTy());
  }
  for (const ir::VarNode* v : captures.vars) {
    values.push_back(vars_.at(v));
    types.push_back(values.back()->getType());
  }
  values.push_back(min);
  types.push_back(min->getType());

  // Step 2. The body function: the loop over [begin, end) of the iterations.
  const std::string name = kernel_name_ + "__parallel" + std::to_string(parallel_count_++);
  std::vector<llvm::Type*> body_params = {b_.getInt64Ty(), b_.getInt64Ty()};
  body_params.insert(body_params.end(), types.begin(), types.end());
  llvm::Function* body =
      llvm::Function::Create(llvm::FunctionType::get(b_.getInt32Ty(), body_params, false),
                             llvm::Function::InternalLinkage, name + "_body", module_);
  set_function_attributes(body);
  body->getArg(0)->setName("begin");
  body->getArg(1)->setName("end");
  for (size_t i = 0; i < captures.buffers.size(); ++i) {
    llvm::Argument* arg = body->getArg(2 + i);
    arg->setName(captures.buffers[i]->name);
    arg->addAttr(llvm::Attribute::NoAlias);
    arg->addAttr(llvm::Attribute::NoCapture);
    // Every buffer is whole and aligned, as in the kernel's own entry.
    const ir::Buffer& b = captures.buffers[i];
    auto align = buffer_alignment_.find(b.get());
    if (align != buffer_alignment_.end()) {
      arg->addAttr(llvm::Attribute::getWithAlignment(ctx_, llvm::Align(align->second)));
    }
    const uint64_t bytes =
        static_cast<uint64_t>(std::max<int64_t>(ir::num_elements(b), 1)) * b->dtype.bytes();
    arg->addAttr(llvm::Attribute::getWithDereferenceableBytes(ctx_, bytes));
  }
  {
    FunctionState outer_fn = fn_;
    auto outer_vars = std::move(vars_);
    auto outer_buffers = std::move(buffers_);
    llvm::Value* outer_mask = load_mask_;
    llvm::IRBuilderBase::InsertPoint outer_ip = b_.saveIP();
    vars_.clear();
    buffers_.clear();
    load_mask_ = nullptr;
    fn_ = FunctionState{body, llvm::BasicBlock::Create(ctx_, "entry", body), {}};
    auto* start = llvm::BasicBlock::Create(ctx_, "start", body);
    b_.SetInsertPoint(start);
    size_t arg = 2;
    for (const ir::Buffer& b : captures.buffers) buffers_[b.get()] = body->getArg(arg++);
    for (const ir::VarNode* v : captures.vars) {
      body->getArg(arg)->setName(v->name);
      vars_[v] = body->getArg(arg++);
    }
    llvm::Value* body_min = body->getArg(arg);
    llvm::Type* var_type = body_min->getType();
    llvm::Value* begin = b_.CreateAdd(b_.CreateTrunc(body->getArg(0), var_type), body_min);
    llvm::Value* end = b_.CreateAdd(b_.CreateTrunc(body->getArg(1), var_type), body_min);
    serial_loop(op, begin, end);
    b_.CreateRet(b_.getInt32(0));
    b_.SetInsertPoint(fn_.entry);
    b_.CreateBr(start);

    fn_ = outer_fn;
    vars_ = std::move(outer_vars);
    buffers_ = std::move(outer_buffers);
    load_mask_ = outer_mask;
    b_.restoreIP(outer_ip);
  }

  // Step 3. The wrapper with the runtime's signature: unpack, call.
  llvm::StructType* closure_type = llvm::StructType::get(ctx_, types);
  llvm::FunctionType* wrapper_type = llvm::FunctionType::get(
      b_.getInt32Ty(), {b_.getInt64Ty(), b_.getInt64Ty(), b_.getPtrTy()}, false);
  llvm::Function* wrapper =
      llvm::Function::Create(wrapper_type, llvm::Function::InternalLinkage, name, module_);
  set_function_attributes(wrapper);
  {
    llvm::IRBuilder<> w(llvm::BasicBlock::Create(ctx_, "entry", wrapper));
    llvm::Argument* closure = wrapper->getArg(2);
    closure->setName("closure");
    std::vector<llvm::Value*> args = {wrapper->getArg(0), wrapper->getArg(1)};
    for (size_t i = 0; i < types.size(); ++i) {
      args.push_back(w.CreateLoad(types[i], w.CreateStructGEP(closure_type, closure, i)));
    }
    w.CreateRet(w.CreateCall(body, args));
  }

  // Step 4. The call: fill the closure, run through the pool when one is set.
  llvm::AllocaInst* closure = entry_alloca(closure_type, nullptr, 8, name + ".closure");
  for (size_t i = 0; i < values.size(); ++i) {
    b_.CreateStore(values[i], b_.CreateStructGEP(closure_type, closure, i));
  }
  llvm::Value* iterations = b_.CreateSExtOrTrunc(extent, b_.getInt64Ty());
  llvm::GlobalVariable* pool = module_->getNamedGlobal(kParallelForSymbol);
  if (!pool) internal_error("the module lacks " + std::string(kParallelForSymbol));
  llvm::Value* run = b_.CreateLoad(b_.getPtrTy(), pool, "parallel_for");
  llvm::Function* f = fn_.function;
  auto* direct_bb = llvm::BasicBlock::Create(ctx_, name + ".serial", f);
  auto* pool_bb = llvm::BasicBlock::Create(ctx_, name + ".pool", f);
  auto* done_bb = llvm::BasicBlock::Create(ctx_, name + ".done", f);
  b_.CreateCondBr(b_.CreateIsNull(run), direct_bb, pool_bb);
  b_.SetInsertPoint(direct_bb);
  llvm::Value* direct = b_.CreateCall(wrapper, {b_.getInt64(0), iterations, closure});
  b_.CreateBr(done_bb);
  b_.SetInsertPoint(pool_bb);
  llvm::FunctionType* pool_type = llvm::FunctionType::get(
      b_.getInt32Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getInt64Ty()}, false);
  llvm::Value* pooled = b_.CreateCall(pool_type, run, {wrapper, closure, iterations});
  b_.CreateBr(done_bb);
  b_.SetInsertPoint(done_bb);
  llvm::PHINode* status = b_.CreatePHI(b_.getInt32Ty(), 2, "status");
  status->addIncoming(direct, direct_bb);
  status->addIncoming(pooled, pool_bb);
  return_error_if(b_.CreateICmpNE(status, b_.getInt32(0)), status);
}

}  // namespace kiln::codegen::llvm_backend
