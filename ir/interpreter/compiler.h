// The interpreter compiles a PrimFunc once into a tree of closures and then
// runs it. Variables live in numbered slots of a Frame (a vector variable in
// `lanes` consecutive slots) and buffers in numbered data pointers, both fixed
// at compile time, so running never looks a name up.
//
// Compiling also checks what is static: every variable is bound where it is
// used, every buffer is a parameter or allocated by an enclosing block or
// Allocate, every shape is constant, types fit their operations.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/function.h"
#include "ir/interpreter/scalar.h"

namespace kiln::ir::interp {

struct Frame {
  Scalar* slots;
  char** buffers;
};

using ScalarFn = std::function<Scalar(Frame&)>;
// Writes one Scalar per lane to its output.
using VectorFn = std::function<void(Frame&, Scalar*)>;
using StmtFn = std::function<void(Frame&)>;

// An expression compiled for its lane count: `scalar` is set when lanes == 1,
// `vector` otherwise.
struct CompiledExpr {
  int lanes = 1;
  ScalarFn scalar;
  VectorFn vector;
};

// An integer index, with the two common cases (a constant, a variable) read
// without a call.
struct IndexFn {
  enum class Kind : uint8_t { kConstant, kSlot, kGeneral };
  Kind kind = Kind::kConstant;
  int64_t constant = 0;
  int slot = 0;
  ScalarFn general;
  int64_t operator()(Frame& f) const {
    switch (kind) {
      case Kind::kConstant: return constant;
      case Kind::kSlot: return f.slots[slot].i;
      case Kind::kGeneral: break;
    }
    return general(f).i;
  }
};

// Where a runtime fault happened: the innermost statement and block.
struct Site {
  std::string function;
  std::string block;
  Stmt stmt;
  [[noreturn]] void fail(const std::string& what) const;
};
using SitePtr = std::shared_ptr<const Site>;

// A buffer in scope: its slot in Frame::buffers and its static layout.
struct BufferInfo {
  Buffer buffer;
  Format format;
  int slot;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // row-major, in elements
  int64_t num_elements;
};
using BufferInfoPtr = std::shared_ptr<const BufferInfo>;

struct Program {
  StmtFn body;
  int num_slots = 0;
  int num_buffers = 0;
  // Frame::buffers slot of each parameter, in order.
  std::vector<int> param_slots;
};

class Compiler {
 public:
  // Throws InterpreterError when the function cannot run (see above).
  static Program compile(const PrimFunc& func);

 private:
  explicit Compiler(const PrimFunc& func) : func_(func) {}

  // Expressions (compile_expr.cc).
  CompiledExpr expr(const Expr& e);
  ScalarFn scalar(const Expr& e);
  // `e` evaluated to `lanes` values; a scalar is broadcast.
  VectorFn vector(const Expr& e, int lanes);
  IndexFn index(const Expr& e);
  CompiledExpr binary(const Expr& e, const BinaryNode* op);
  CompiledExpr select(const SelectNode* op);
  CompiledExpr cast(const CastNode* op);
  CompiledExpr buffer_load(const BufferLoadNode* op);
  CompiledExpr call(const CallNode* op);
  CompiledExpr ramp(const RampNode* op);
  CompiledExpr let(const LetNode* op);

  // Statements (compile_stmt.cc).
  StmtFn stmt(const Stmt& s);
  StmtFn buffer_store(const Stmt& s, const BufferStoreNode* op);
  StmtFn for_loop(const ForNode* op);
  StmtFn block_realize(const BlockRealizeNode* op);
  StmtFn allocate(const AllocateNode* op);

  // Scopes. A binding lasts until the returned guard is destroyed, which
  // restores whatever the name meant outside.
  class ScopeGuard {
   public:
    explicit ScopeGuard(std::function<void()> restore) : restore_(std::move(restore)) {}
    ScopeGuard(ScopeGuard&& o) noexcept : restore_(std::move(o.restore_)) { o.restore_ = nullptr; }
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;
    ~ScopeGuard() {
      if (restore_) restore_();
    }

   private:
    std::function<void()> restore_;
  };
  struct VarSlot {
    int slot;
    int lanes;
  };
  // Gives `var` fresh slots.
  ScopeGuard bind_var(const Var& var, int* slot);
  // Gives `buffer` a fresh data pointer slot.
  ScopeGuard declare_buffer(const Buffer& buffer, BufferInfoPtr* info);
  BufferInfoPtr lookup_buffer(const Buffer& buffer, const char* access) const;

  SitePtr site() const;
  [[noreturn]] void compile_error(const std::string& what) const;

  const PrimFunc& func_;
  std::unordered_map<const VarNode*, VarSlot> vars_;
  std::unordered_map<const BufferNode*, BufferInfoPtr> buffers_;
  int num_slots_ = 0;
  int num_buffers_ = 0;
  // The innermost statement and block being compiled, for error messages.
  Stmt current_stmt_;
  std::string current_block_;
};

}  // namespace kiln::ir::interp
