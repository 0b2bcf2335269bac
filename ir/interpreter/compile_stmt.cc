// Compiling statements into closures, and the compiler's scopes.
#include <algorithm>
#include <cstring>
#include <optional>

#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/interpreter.h"
#include "ir/interpreter/access.h"
#include "ir/interpreter/compiler.h"
#include "ir/interpreter/describe.h"

namespace kiln::ir::interp {

namespace {

// Storage for a buffer allocated by a block or an Allocate, filled with
// poison each time its scope is entered. Scopes do not nest into themselves
// (a statement does not contain itself), so one storage per allocation site
// suffices.
struct Allocation {
  int slot;
  std::vector<char> poison;
  std::vector<char> storage;
  char* outer = nullptr;  // what the slot held outside the scope

  explicit Allocation(const BufferInfo& info)
      : slot(info.slot),
        poison(static_cast<size_t>(info.num_elements) * format_bytes(info.format)),
        storage(poison.size()) {
    const StoreFn store = store_fn(info.format);
    const Scalar value = poison_value(info.format);
    const int bytes = format_bytes(info.format);
    for (int64_t i = 0; i < info.num_elements; ++i) store(poison.data() + i * bytes, value);
  }
  void enter(Frame& f) {
    if (!poison.empty()) std::memcpy(storage.data(), poison.data(), poison.size());
    outer = f.buffers[slot];
    f.buffers[slot] = storage.data();
  }
  void exit(Frame& f) { f.buffers[slot] = outer; }
};

// The variables an expression reads, once each, in order of appearance.
class VarCollector : public IRVisitor {
 public:
  std::vector<const VarNode*> vars;

 protected:
  void visit_var(const VarNode* op) override {
    if (std::find(vars.begin(), vars.end(), op) == vars.end()) vars.push_back(op);
  }
};

}  // namespace

void Site::fail(const std::string& what) const {
  std::string message = "interpret(" + function + "): " + what;
  if (!block.empty()) message += "\n  in block \"" + block + "\"";
  if (stmt.defined()) message += "\n  at: " + describe_stmt(stmt);
  throw InterpreterError(message);
}

SitePtr Compiler::site() const {
  return std::make_shared<const Site>(Site{func_->name, current_block_, current_stmt_});
}

void Compiler::compile_error(const std::string& what) const {
  site()->fail(what + " (found while preparing the function to run)");
}

Compiler::ScopeGuard Compiler::bind_var(const Var& var, int* slot) {
  const int lanes = var.dtype().lanes();
  format_of(var.dtype().element_of());  // rejects types that cannot be held
  *slot = num_slots_;
  num_slots_ += lanes;
  auto it = vars_.find(var.get());
  std::optional<VarSlot> outer;
  if (it != vars_.end()) outer = it->second;
  vars_[var.get()] = VarSlot{*slot, lanes};
  return ScopeGuard([this, key = var.get(), outer] {
    if (outer) {
      vars_[key] = *outer;
    } else {
      vars_.erase(key);
    }
  });
}

Compiler::ScopeGuard Compiler::declare_buffer(const Buffer& buffer, BufferInfoPtr* info_out) {
  if (!buffer.defined()) compile_error("an undefined buffer is declared");
  auto info = std::make_shared<BufferInfo>();
  info->buffer = buffer;
  if (buffer->dtype.lanes() != 1) {
    compile_error("buffer `" + buffer->name + "` has vector elements (" + buffer->dtype.str() +
                  "); buffers hold scalars and vector accesses use Ramp indices");
  }
  info->format = format_of(buffer->dtype);
  for (const Expr& extent : buffer->shape) {
    const int64_t* v = as_const_int(extent);
    if (!v || *v < 0) {
      compile_error("buffer `" + buffer->name + "` has extent `" + describe_expr(extent) +
                    "`; the interpreter needs constant, non-negative extents");
    }
    info->shape.push_back(*v);
  }
  info->strides.assign(info->shape.size(), 1);
  for (int d = static_cast<int>(info->shape.size()) - 2; d >= 0; --d) {
    info->strides[d] = info->strides[d + 1] * info->shape[d + 1];
  }
  info->num_elements = 1;
  for (int64_t e : info->shape) info->num_elements *= e;
  info->slot = num_buffers_++;
  auto it = buffers_.find(buffer.get());
  BufferInfoPtr outer = it == buffers_.end() ? nullptr : it->second;
  buffers_[buffer.get()] = info;
  *info_out = info;
  return ScopeGuard([this, key = buffer.get(), outer] {
    if (outer) {
      buffers_[key] = outer;
    } else {
      buffers_.erase(key);
    }
  });
}

BufferInfoPtr Compiler::lookup_buffer(const Buffer& buffer, const char* access) const {
  if (!buffer.defined()) compile_error(std::string(access) + " an undefined buffer");
  auto it = buffers_.find(buffer.get());
  if (it == buffers_.end()) {
    compile_error(std::string(access) + " buffer `" + buffer->name +
                  "`, which is neither a parameter nor allocated by an enclosing block "
                  "(alloc_buffers) or Allocate");
  }
  return it->second;
}

Program Compiler::compile(const PrimFunc& func) {
  if (!func) throw InterpreterError("interpret: the function is null");
  Compiler compiler(func);
  Program program;
  std::vector<ScopeGuard> params;
  for (const Buffer& param : func->params) {
    BufferInfoPtr info;
    params.push_back(compiler.declare_buffer(param, &info));
    program.param_slots.push_back(info->slot);
  }
  program.body = compiler.stmt(func->body);
  program.num_slots = compiler.num_slots_;
  program.num_buffers = compiler.num_buffers_;
  return program;
}

StmtFn Compiler::stmt(const Stmt& s) {
  if (!s.defined()) compile_error("a statement is undefined");
  Stmt outer = current_stmt_;
  current_stmt_ = s;
  ScopeGuard restore([this, outer] { current_stmt_ = outer; });
  switch (s.kind()) {
    case StmtKind::kBufferStore: return buffer_store(s, s.as<BufferStoreNode>());
    case StmtKind::kFor: return for_loop(s.as<ForNode>());
    case StmtKind::kBlockRealize: return block_realize(s.as<BlockRealizeNode>());
    case StmtKind::kBlock:
      compile_error("block \"" + s.as<BlockNode>()->name +
                    "\" appears without a BlockRealize; a block runs only where it is realized");
    case StmtKind::kSeq: {
      std::vector<StmtFn> body;
      for (const Stmt& part : s.as<SeqStmtNode>()->seq) body.push_back(stmt(part));
      return [body = std::move(body)](Frame& f) {
        for (const StmtFn& part : body) part(f);
      };
    }
    case StmtKind::kIfThenElse: {
      const auto* op = s.as<IfThenElseNode>();
      ScalarFn cond = scalar(op->condition);
      StmtFn then_case = op->then_case.defined() ? stmt(op->then_case) : StmtFn();
      StmtFn else_case = op->else_case.defined() ? stmt(op->else_case) : StmtFn();
      return [cond, then_case, else_case](Frame& f) {
        if (cond(f).i) {
          if (then_case) then_case(f);
        } else if (else_case) {
          else_case(f);
        }
      };
    }
    case StmtKind::kEvaluate: {
      const Expr& value = s.as<EvaluateNode>()->value;
      // Evaluate of a void call has nothing to run.
      if (!value.defined() || value.dtype().is_void()) return [](Frame&) {};
      CompiledExpr e = expr(value);
      if (e.lanes == 1) return [v = e.scalar](Frame& f) { v(f); };
      return [v = e.vector, tmp = std::vector<Scalar>(e.lanes)](Frame& f) mutable {
        v(f, tmp.data());
      };
    }
    case StmtKind::kLetStmt: {
      const auto* op = s.as<LetStmtNode>();
      if (op->value.dtype() != op->var.dtype()) {
        compile_error("`" + op->var->name + "` of type " + op->var.dtype().str() +
                      " is bound to a " + op->value.dtype().str());
      }
      CompiledExpr value = expr(op->value);
      int slot = 0;
      ScopeGuard scope = bind_var(op->var, &slot);
      StmtFn body = stmt(op->body);
      if (value.lanes == 1) {
        return [slot, v = value.scalar, body](Frame& f) {
          f.slots[slot] = v(f);
          body(f);
        };
      }
      return [slot, v = value.vector, body](Frame& f) {
        v(f, f.slots + slot);
        body(f);
      };
    }
    case StmtKind::kAllocate: return allocate(s.as<AllocateNode>());
  }
  compile_error("unknown statement kind");
}

StmtFn Compiler::buffer_store(const Stmt& s, const BufferStoreNode* op) {
  BufferInfoPtr info = lookup_buffer(op->buffer, "store to");
  const DataType value_type = op->value.dtype();
  if (value_type.element_of() != op->buffer->dtype) {
    compile_error("a " + value_type.str() + " value is stored to `" + op->buffer->name + "` (" +
                  op->buffer->dtype.str() + "); cast it first");
  }
  if (op->indices.size() != info->shape.size()) {
    compile_error("a store to `" + op->buffer->name + "` has " +
                  std::to_string(op->indices.size()) + " indices for " +
                  std::to_string(info->shape.size()) + " dimensions");
  }
  int lanes = value_type.lanes();
  for (const Expr& i : op->indices) lanes = std::max(lanes, i.defined() ? i.dtype().lanes() : 1);
  const StoreFn store = store_fn(info->format);
  if (lanes == 1) {
    std::vector<IndexFn> indices;
    for (const Expr& i : op->indices) indices.push_back(index(i));
    ScalarAccess access(info, std::move(indices), site(), "store to");
    return dispatch_format(info->format, [&](auto tag) -> StmtFn {
      return [access, value = scalar(op->value)](Frame& f) {
        const Scalar v = value(f);
        store_element<decltype(tag)::value>(access.address(f), v);
      };
    });
  }
  VectorAccess access{info, {}, lanes, site(), "store to", {}};
  for (const Expr& i : op->indices) {
    if (!i.dtype().is_integer())
      compile_error("a non-integer index into `" + op->buffer->name + "`");
    access.indices.push_back(vector(i, lanes));
  }
  access.scratch.resize(access.indices.size() * lanes);
  const int bytes = format_bytes(info->format);
  return [access = std::move(access), value = vector(op->value, lanes), store, bytes, lanes,
          values = std::vector<Scalar>(lanes),
          offsets = std::vector<int64_t>(lanes)](Frame& f) mutable {
    value(f, values.data());
    access.offsets(f, offsets.data());
    char* base = f.buffers[access.info->slot];
    for (int l = 0; l < lanes; ++l) store(base + offsets[l] * bytes, values[l]);
  };
}

StmtFn Compiler::for_loop(const ForNode* op) {
  IndexFn min = index(op->min), extent = index(op->extent);
  if (!op->loop_var.dtype().is_integer() || op->loop_var.dtype().lanes() != 1) {
    compile_error("loop variable `" + op->loop_var->name + "` has type " +
                  op->loop_var.dtype().str() + "; loops count in scalar integers");
  }
  int slot = 0;
  ScopeGuard scope = bind_var(op->loop_var, &slot);
  StmtFn body = stmt(op->body);
  // Every kind of loop (parallel, vectorized, unrolled, thread-bound) runs
  // serially: the result of a correct program does not depend on the order.
  return [min, extent, slot, body](Frame& f) {
    const int64_t begin = min(f), end = begin + extent(f);
    for (int64_t v = begin; v < end; ++v) {
      f.slots[slot].i = v;
      body(f);
    }
  };
}

StmtFn Compiler::block_realize(const BlockRealizeNode* op) {
  const Block& block = op->block;
  if (!block) compile_error("a BlockRealize has no block");
  const size_t n = block->iter_vars.size();
  if (op->iter_values.size() != n) {
    compile_error("block \"" + block->name + "\" has " + std::to_string(n) + " iter vars but " +
                  std::to_string(op->iter_values.size()) + " bindings");
  }
  // Step 1. What runs in the enclosing scope: predicate, bindings, domains.
  ScalarFn predicate;
  if (op->predicate.defined() && !is_const_int(op->predicate, 1)) predicate = scalar(op->predicate);
  struct IterVarRun {
    IndexFn binding, min, extent;
    int slot;
    bool reduction;
    // The scalar variables the binding reads, to show their values when the
    // binding leaves the domain.
    std::vector<std::pair<std::string, int>> inputs;
  };
  std::vector<IterVarRun> iters(n);
  for (size_t k = 0; k < n; ++k) {
    const IterVar& iv = block->iter_vars[k];
    if (!iv.var.dtype().is_integer() || iv.var.dtype().lanes() != 1) {
      compile_error("iter var `" + iv.var->name + "` of block \"" + block->name + "\" has type " +
                    iv.var.dtype().str() + "; iter vars are scalar integers");
    }
    iters[k].binding = index(op->iter_values[k]);
    iters[k].min = index(iv.dom.min);
    iters[k].extent = index(iv.dom.extent);
    iters[k].reduction = iv.kind == IterKind::kReduction;
    VarCollector collector;
    collector.visit(op->iter_values[k]);
    for (const VarNode* v : collector.vars) {
      auto it = vars_.find(v);
      if (it != vars_.end() && it->second.lanes == 1)
        iters[k].inputs.emplace_back(v->name, it->second.slot);
    }
  }
  const SitePtr realize_site = site();

  // Step 2. The block's own scope: iter vars, allocations, init and body.
  std::string outer_block = current_block_;
  current_block_ = block->name;
  ScopeGuard restore_block([this, outer_block] { current_block_ = outer_block; });
  std::vector<ScopeGuard> scopes;
  for (size_t k = 0; k < n; ++k)
    scopes.push_back(bind_var(block->iter_vars[k].var, &iters[k].slot));
  auto allocations = std::make_shared<std::vector<Allocation>>();
  for (const Buffer& buffer : block->alloc_buffers) {
    BufferInfoPtr info;
    scopes.push_back(declare_buffer(buffer, &info));
    allocations->emplace_back(*info);
  }
  StmtFn init = block->init.defined() ? stmt(block->init) : StmtFn();
  StmtFn body = stmt(block->body);

  // Step 3. Run: skip where the predicate is false, check each binding lies in
  // its domain, and run init at the first iteration of every reduction var.
  auto out_of_domain = [realize_site, block](const IterVarRun& it, size_t k, Frame& f, int64_t v,
                                             int64_t lo, int64_t extent) {
    const IterVar& iv = block->iter_vars[k];
    std::string inputs;
    for (const auto& [name, slot] : it.inputs) {
      inputs +=
          (inputs.empty() ? " (where " : ", ") + name + " = " + std::to_string(f.slots[slot].i);
    }
    if (!inputs.empty()) inputs += ")";
    realize_site->fail("iter var `" + iv.var->name + "` of block \"" + block->name + "\" is " +
                       std::to_string(v) + inputs + ", outside its domain [" + std::to_string(lo) +
                       ", " + std::to_string(lo + extent) +
                       "). A block's bindings must stay inside its domain: the schedule that "
                       "produced this binding is wrong (a split or fuse that needs a predicate?)");
  };
  return [predicate, iters, allocations, init, body, out_of_domain](Frame& f) {
    if (predicate && !predicate(f).i) return;
    bool first_reduction_iteration = true;
    for (size_t k = 0; k < iters.size(); ++k) {
      const IterVarRun& it = iters[k];
      const int64_t v = it.binding(f), lo = it.min(f), extent = it.extent(f);
      if (v < lo || v >= lo + extent) out_of_domain(it, k, f, v, lo, extent);
      f.slots[it.slot].i = v;
      if (it.reduction && v != lo) first_reduction_iteration = false;
    }
    for (Allocation& a : *allocations) a.enter(f);
    if (init && first_reduction_iteration) init(f);
    body(f);
    for (Allocation& a : *allocations) a.exit(f);
  };
}

StmtFn Compiler::allocate(const AllocateNode* op) {
  BufferInfoPtr info;
  ScopeGuard scope = declare_buffer(op->buffer, &info);
  auto allocation = std::make_shared<Allocation>(*info);
  StmtFn body = stmt(op->body);
  return [allocation, body](Frame& f) {
    allocation->enter(f);
    body(f);
    allocation->exit(f);
  };
}

}  // namespace kiln::ir::interp
