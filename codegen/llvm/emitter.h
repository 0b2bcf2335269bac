// KernelEmitter: translates one lowered PrimFunc into LLVM IR functions (the
// typed entry, the packed entry and one outlined body per parallel loop).
// Internal to the LLVM backend; the translation of each IR family lives in
// its own file (emit_expr.cc, emit_cast.cc, emit_memory.cc, emit_stmt.cc,
// emit_parallel.cc, emit_function.cc).
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "codegen/llvm/llvm_backend.h"
#include "ir/stmt.h"

namespace kiln::codegen::llvm_backend {

// Stack allocations up to this size live in the function's frame; larger ones
// go to the heap so that a parallel body cannot overflow a thread's stack.
constexpr int64_t kMaxStackAllocationBytes = 64 * 1024;
constexpr int kAllocationAlignment = 64;
// Defined in every module: the thread pool its parallel loops call.
constexpr const char* kParallelForSymbol = "__kiln_parallel_for";

// Throws std::logic_error: the input breaks the lowered form, or kiln is wrong.
[[noreturn]] void internal_error(const std::string& what);

class KernelEmitter {
 public:
  // Functions get the target's CPU, features and vector width as attributes.
  // `vector_library`: the code may call libmvec (vector_library.h).
  KernelEmitter(llvm::Module* module, std::string cpu, std::string features, int vector_bits,
                bool vector_library);
  // Emits `kernel.signature.name` (typed) and `<name>__packed`.
  void emit(const LoweredKernel& kernel);

  // ---- used by the per-family files
  // Register types: bool is i1, bfloat16 is i16 (its bits), float16 is half.
  llvm::Type* reg_type(ir::DataType t);
  // Memory types: as registers, except bool, which is one byte.
  llvm::Type* mem_type(ir::DataType t);

  llvm::Value* expr(const ir::Expr& e);
  void stmt(const ir::Stmt& s);

 private:
  // The function being filled: the typed entry or an outlined body.
  struct FunctionState {
    llvm::Function* function = nullptr;
    // Allocas go here (before its terminator-free end), never in a loop.
    llvm::BasicBlock* entry = nullptr;
    // Heap allocations alive at the current point, freed on every return.
    std::vector<llvm::Value*> heap_allocations;
  };

  // emit_expr.cc
  llvm::Value* binary(const ir::BinaryNode* op, ir::DataType t);
  llvm::Value* int_binary(ir::ExprKind kind, llvm::Value* a, llvm::Value* b, ir::DataType t);
  llvm::Value* float_binary(ir::ExprKind kind, llvm::Value* a, llvm::Value* b, ir::DataType t);
  llvm::Value* compare(ir::ExprKind kind, llvm::Value* a, llvm::Value* b, ir::DataType t);
  llvm::Value* logical(const ir::BinaryNode* op);
  llvm::Value* select(const ir::SelectNode* op);
  llvm::Value* call(const ir::CallNode* op);
  llvm::Value* math_intrinsic(llvm::Intrinsic::ID id, const std::vector<llvm::Value*>& args);
  llvm::Value* ramp(const ir::RampNode* op);
  llvm::Value* let(const ir::LetNode* op);
  llvm::Value* int_constant(ir::DataType t, int64_t value);
  llvm::Value* float_constant(ir::DataType t, double value);
  // Evaluates `make_true` when `cond` holds and `make_false` otherwise, with
  // branches so that only the chosen one runs; returns the phi of the two.
  template <typename TrueFn, typename FalseFn>
  llvm::Value* branch_value(llvm::Value* cond, TrueFn make_true, FalseFn make_false,
                            const char* name);

  // emit_cast.cc
  llvm::Value* cast(ir::DataType to, ir::DataType from, llvm::Value* v);
  // float16/bfloat16 values widen to float for arithmetic, and narrow back
  // rounding to nearest even after each operation (as the interpreter does).
  llvm::Value* to_arith(llvm::Value* v, ir::DataType t);
  llvm::Value* from_arith(llvm::Value* v, ir::DataType t);
  llvm::Value* float_to_bfloat16(llvm::Value* f);
  llvm::Value* bfloat16_to_float(llvm::Value* bits);
  llvm::Value* double_to_float_round_to_odd(llvm::Value* d);
  llvm::Value* integer_to_float_round_to_odd(llvm::Value* v, bool is_signed);

  // emit_memory.cc
  llvm::Value* buffer_load(const ir::BufferLoadNode* op);
  void buffer_store(const ir::BufferStoreNode* op);
  llvm::Value* buffer_pointer(const ir::Buffer& b);
  // The mask under which vector loads run (lanes of a vector select that
  // are not chosen); null when every lane runs.
  llvm::Value* load_mask_ = nullptr;

  // emit_stmt.cc
  void for_loop(const ir::ForNode* op);
  void serial_loop(const ir::ForNode* op, llvm::Value* begin, llvm::Value* end);
  void if_then_else(const ir::IfThenElseNode* op);
  void allocate(const ir::AllocateNode* op);
  // When `failed` holds, frees the live heap allocations and returns `code`
  // from the function; emission continues on the other path.
  void return_error_if(llvm::Value* failed, llvm::Value* code);
  llvm::AllocaInst* entry_alloca(llvm::Type* type, llvm::Value* count, int align,
                                 const std::string& name);

  // emit_parallel.cc
  void parallel_loop(const ir::ForNode* op);

  // emit_function.cc
  llvm::Function* declare_runtime_function(const char* name, llvm::Type* ret,
                                           std::vector<llvm::Type*> args);
  void set_function_attributes(llvm::Function* f);

  llvm::Module* module_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  FunctionState fn_;
  std::string cpu_;
  std::string features_;
  int vector_bits_;
  bool vector_library_;
  std::string kernel_name_;
  int parallel_count_ = 0;
  std::unordered_map<const ir::VarNode*, llvm::Value*> vars_;
  std::unordered_map<const ir::BufferNode*, llvm::Value*> buffers_;
  // The known alignment of each buffer's data: parameters by the ABI,
  // allocations by kAllocationAlignment.
  std::unordered_map<const ir::BufferNode*, int> buffer_alignment_;
};

// True when evaluating `e` may fault where it is not guarded: it loads from
// memory, or divides integers by a non-constant. Such operands of a scalar
// select or and/or are evaluated behind a branch.
bool may_fault(const ir::Expr& e);

// Binds `var` to a value for the lifetime of the object.
template <typename Map, typename Key, typename Value>
class ScopedBinding {
 public:
  ScopedBinding(Map* map, Key key, Value value) : map_(map), key_(key) {
    auto it = map_->find(key);
    if (it != map_->end()) {
      had_old_ = true;
      old_ = it->second;
    }
    (*map_)[key] = value;
  }
  ~ScopedBinding() {
    if (had_old_) {
      (*map_)[key_] = old_;
    } else {
      map_->erase(key_);
    }
  }
  ScopedBinding(const ScopedBinding&) = delete;
  ScopedBinding& operator=(const ScopedBinding&) = delete;

 private:
  Map* map_;
  Key key_;
  Value old_{};
  bool had_old_ = false;
};

}  // namespace kiln::codegen::llvm_backend
