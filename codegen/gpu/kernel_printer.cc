// Statements and the kernel frame of the GPU source printer.
#include "codegen/gpu/kernel_printer.h"

#include <algorithm>
#include <unordered_set>

#include "codegen/build.h"
#include "codegen/passes/stmt_utils.h"
#include "ir/buffer.h"
#include "ir/functor.h"

namespace kiln::codegen::gpu {

namespace {

int64_t constant_extent(const ir::Expr& e, const char* what) {
  const int64_t* v = ir::as_const_int(e);
  if (!v) throw BuildError(std::string("GPU code generation: ") + what + " is not a constant");
  return *v;
}

bool is_hardware_tag(const std::string& tag) {
  return tag.rfind("blockIdx.", 0) == 0 || tag.rfind("threadIdx.", 0) == 0;
}

// "(a == b)" -> "a == b" where the parentheses enclose the whole text: the
// `if` supplies its own, and clang warns about doubled ones around "==".
std::string without_outer_parens(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return text;
  int depth = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    if (depth == 0) return text;  // the first '(' closes before the end
  }
  return text.substr(1, text.size() - 2);
}

}  // namespace

std::string KernelPrinter::print(GpuKernel& kernel) {
  const runtime::LaunchConfig& launch = kernel.launch;
  const char* axes[] = {"x", "y", "z"};
  for (int i = 0; i < 3; ++i) {
    launch_extent_[std::string("blockIdx.") + axes[i]] = launch.grid[i];
    launch_extent_[std::string("threadIdx.") + axes[i]] = launch.block[i];
  }
  // Kernel names and parameters first, so that locals never take their names.
  used_names_.insert(kernel.name);
  std::vector<std::string> params;
  const std::unordered_set<const ir::BufferNode*> written = stored_buffers(kernel.body);
  for (const ir::Buffer& b : kernel.buffers) {
    note_type(b->dtype);
    params.push_back(d_.pointer_param(b->dtype, !written.count(b.get()), name_of(b)));
  }

  stmt(kernel.body);
  const std::string body = out_.str();
  std::string head =
      d_.kernel_prefix(launch.threads_per_block(), launch.block.data()) + " " + kernel.name + "(";
  for (size_t i = 0; i < params.size(); ++i) head += (i ? ", " : "") + params[i];
  head += ") {\n";
  const std::string shared = declare_shared(kernel);
  return head + shared + body + "}\n";
}

std::string KernelPrinter::declare_shared(GpuKernel& kernel) {
  int64_t total = 0;
  for (const ir::Buffer& b : shared_)
    total += (ir::num_elements(b) * b->dtype.bytes() + 15) / 16 * 16;
  std::string out;
  const bool dynamic = d_.is_cuda() && total > options_.max_static_shared_bytes;
  kernel.launch.dynamic_shared_bytes = 0;
  if (!dynamic) {
    for (const ir::Buffer& b : shared_)
      out += "  " + d_.shared_array(b->dtype, name_of(b), ir::num_elements(b)) + "\n";
    return out;
  }
  // Past the static limit, CUDA needs one dynamically sized array, carved up
  // here and sized by the launch.
  out += "  extern __shared__ __align__(16) unsigned char kiln_dynamic_shared[];\n";
  int64_t offset = 0;
  for (const ir::Buffer& b : shared_) {
    out += "  " + d_.storage_type(b->dtype) + "* " + name_of(b) + " = (" +
           d_.storage_type(b->dtype) + "*)(kiln_dynamic_shared + " + std::to_string(offset) +
           ");\n";
    offset += (ir::num_elements(b) * b->dtype.bytes() + 15) / 16 * 16;
  }
  kernel.launch.dynamic_shared_bytes = offset;
  return out;
}

void KernelPrinter::line(const std::string& text) {
  out_ << std::string(static_cast<size_t>(indent_) * 2, ' ') << text << "\n";
}

void KernelPrinter::flush_pending() {
  for (const std::string& l : pending_) line(l);
  pending_.clear();
  vector_loads_.clear();
}

void KernelPrinter::stmt(const ir::Stmt& s) {
  switch (s.kind()) {
    case ir::StmtKind::kBufferStore: return buffer_store(s.as<ir::BufferStoreNode>());
    case ir::StmtKind::kFor: return for_loop(s.as<ir::ForNode>());
    case ir::StmtKind::kSeq:
      for (const ir::Stmt& c : s.as<ir::SeqStmtNode>()->seq) stmt(c);
      return;
    case ir::StmtKind::kIfThenElse: {
      const auto* op = s.as<ir::IfThenElseNode>();
      const std::string cond = without_outer_parens(expr(op->condition));
      flush_pending();
      line("if (" + cond + ") {");
      ++indent_;
      stmt(op->then_case);
      --indent_;
      if (op->else_case.defined()) {
        line("} else {");
        ++indent_;
        stmt(op->else_case);
        --indent_;
      }
      line("}");
      return;
    }
    case ir::StmtKind::kEvaluate: return evaluate(s.as<ir::EvaluateNode>());
    case ir::StmtKind::kLetStmt: {
      const auto* op = s.as<ir::LetStmtNode>();
      if (op->var.dtype().is_vector()) {
        std::vector<std::string> lanes;
        for (int i = 0; i < op->var.dtype().lanes(); ++i) {
          const std::string lane = lane_of(op->value, i);
          const std::string n = fresh(op->var.name() + "_" + std::to_string(i));
          pending_.push_back("const " + d_.type(op->var.dtype().element_of()) + " " + n + " = " +
                             lane + ";");
          lanes.push_back(n);
        }
        vector_vars_[op->var.get()] = lanes;
      } else {
        const std::string value = expr(op->value);
        if (op->var.dtype().is_integer())
          bounds_[op->var] = ir::arith::const_int_bound(op->value, bounds_);
        pending_.push_back("const " + d_.type(op->var.dtype()) + " " + name_of(op->var) + " = " +
                           value + ";");
      }
      flush_pending();
      stmt(op->body);
      return;
    }
    case ir::StmtKind::kAllocate: return allocate(s.as<ir::AllocateNode>());
    case ir::StmtKind::kBlock:
    case ir::StmtKind::kBlockRealize:
      throw BuildError(
          "GPU code generation: the function still has blocks; lower it first "
          "(codegen::lower) and pass the lowered function");
  }
}

void KernelPrinter::buffer_store(const ir::BufferStoreNode* op) {
  if (op->indices.size() != 1)
    throw BuildError("GPU code generation: the store into " + op->buffer->name +
                     " has several indices; pass the lowered (flattened) function");
  const ir::Expr& index = op->indices[0];
  const std::string buf = name_of(op->buffer);
  const ir::DataType t = op->value.dtype();
  const ir::DataType element = op->buffer->dtype;
  auto stored = [&](const std::string& v) {
    return element.is_bool() ? "(" + d_.storage_type(element) + ")(" + v + ")" : v;
  };
  if (t.is_scalar()) {
    const std::string i = expr(index), v = expr(op->value);
    flush_pending();
    line(buf + "[" + i + "] = " + stored(v) + ";");
    return;
  }
  // Every lane is computed before any is stored: a vector store reads its
  // operands first, even when they overlap what it writes.
  std::vector<std::string> lanes;
  for (int l = 0; l < t.lanes(); ++l)
    lanes.push_back(temp(d_.type(t.element_of()), lane_of(op->value, l)));
  const auto* ramp = index.as<ir::RampNode>();
  if (ramp && vectorizable(op->buffer, index)) {
    std::string joined;
    for (size_t l = 0; l < lanes.size(); ++l) joined += (l ? ", " : "") + lanes[l];
    const std::string base = expr(ramp->base);
    flush_pending();
    line(d_.vector_store(t, "(" + buf + " + " + base + ")", d_.make_vector(t, joined)));
    return;
  }
  std::vector<std::string> indices;
  for (int l = 0; l < t.lanes(); ++l) indices.push_back(lane_of(index, l));
  flush_pending();
  for (int l = 0; l < t.lanes(); ++l)
    line(buf + "[" + indices[static_cast<size_t>(l)] +
         "] = " + stored(lanes[static_cast<size_t>(l)]) + ";");
}

void KernelPrinter::for_loop(const ir::ForNode* op) {
  const int64_t extent = constant_extent(op->extent, "a loop extent");
  if (!is_const_int(op->min, 0))
    throw BuildError("GPU code generation: loop " + op->loop_var.name() +
                     " does not start at 0; pass the lowered function");
  const std::string v = name_of(op->loop_var);
  const std::string type = d_.type(op->loop_var.dtype());
  bounds_[op->loop_var] = {0, std::max<int64_t>(extent - 1, 0)};
  if (op->for_kind == ir::ForKind::kThreadBinding && is_hardware_tag(op->thread_tag)) {
    auto it = launch_extent_.find(op->thread_tag);
    const int64_t launched = it == launch_extent_.end() ? 1 : it->second;
    if (extent > launched)
      throw BuildError("GPU code generation: loop " + op->loop_var.name() + " bound to " +
                       op->thread_tag + " has extent " + std::to_string(extent) +
                       " but the kernel launches " + std::to_string(launched) +
                       "; this is a kiln bug (gpu_split_kernels sizes the launch)");
    line("{");
    ++indent_;
    // A loop shorter than the launch runs on the first `extent` threads only.
    const bool guard = extent < launched;
    // An index the body no longer reads (an axis of extent 1, folded away)
    // is not declared: NVRTC warns about unused variables.
    struct Uses : ir::IRVisitor {
      const ir::VarNode* var;
      bool found = false;
      void visit_var(const ir::VarNode* x) override { found |= x == var; }
    } uses;
    uses.var = op->loop_var.get();
    uses.visit(op->body);
    if (guard || uses.found)
      line("const " + type + " " + v + " = " + d_.thread_index(op->thread_tag) + ";");
    if (guard) {
      line("if (" + v + " < " + int_literal(op->loop_var.dtype(), extent) + ") {");
      ++indent_;
    }
    stmt(op->body);
    if (guard) {
      --indent_;
      line("}");
    }
    --indent_;
    line("}");
    return;
  }
  if (op->for_kind == ir::ForKind::kParallel)
    throw BuildError("GPU code generation: loop " + op->loop_var.name() +
                     " is parallel, which is a CPU loop kind; bind it to blockIdx/threadIdx "
                     "instead (sch.bind(loop, \"blockIdx.x\"))");
  if (op->for_kind == ir::ForKind::kUnrolled) line("#pragma unroll");
  line("for (" + type + " " + v + " = 0; " + v + " < " + int_literal(op->loop_var.dtype(), extent) +
       "; ++" + v + ") {");
  ++indent_;
  stmt(op->body);
  --indent_;
  line("}");
}

void KernelPrinter::allocate(const ir::AllocateNode* op) {
  const ir::Buffer& b = op->buffer;
  note_type(b->dtype);
  const std::string& scope = b->scope;
  if (scope == "shared" || scope == "shared.dyn") {
    shared_.push_back(b);
    name_of(b);
  } else if (scope == "local" || scope.rfind("wmma.", 0) == 0) {
    const std::string align = d_.is_cuda() ? "__align__(16) " : "";
    const std::string attr = d_.is_cuda() ? "" : " __attribute__((aligned(16)))";
    line(align + d_.storage_type(b->dtype) + " " + name_of(b) + "[" +
         std::to_string(ir::num_elements(b)) + "]" + attr + ";");
  } else {
    throw BuildError("GPU code generation: buffer " + b->name + " of scope \"" + scope +
                     "\" is allocated inside a kernel; only \"shared\" and \"local\" buffers "
                     "can be (a global intermediate must be allocated at the function's root)");
  }
  stmt(op->body);
}

void KernelPrinter::evaluate(const ir::EvaluateNode* op) {
  if (op->value.as<ir::IntImmNode>()) return;  // evaluate(0): nothing
  if (const auto* c = op->value.as<ir::CallNode>(); c && c->op == ir::Intrinsic::kGpuBarrier) {
    flush_pending();
    line(d_.barrier());
    return;
  }
  const std::string v = expr(op->value);
  flush_pending();
  line("(void)(" + v + ");");
}

std::string KernelPrinter::fresh(const std::string& hint) {
  std::string base;
  for (char c : hint) base += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0]))) base = "v_" + base;
  // C and CUDA/OpenCL names a kernel must not redefine, and kiln's own helpers.
  static const std::set<std::string> reserved = {
      "auto",     "break",   "case",     "char",      "const",    "continue", "default",
      "do",       "double",  "else",     "enum",      "extern",   "float",    "for",
      "goto",     "if",      "inline",   "int",       "long",     "register", "restrict",
      "return",   "short",   "signed",   "sizeof",    "static",   "struct",   "switch",
      "typedef",  "union",   "unsigned", "void",      "volatile", "while",    "bool",
      "true",     "false",   "half",     "threadIdx", "blockIdx", "blockDim", "gridDim",
      "warpSize", "kernel",  "global",   "local",     "constant", "private",  "uchar",
      "ushort",   "uint",    "ulong",    "min",       "max",      "exp",      "log",
      "sqrt",     "pow",     "fma",      "select",    "barrier",  "vload4",   "vstore4",
      "NAN",      "INFINITY"};
  if (reserved.count(base) || base.rfind("kiln_", 0) == 0 || base.rfind("__", 0) == 0 ||
      base.rfind("get_", 0) == 0)
    base = "v_" + base;
  std::string name = base;
  for (int i = 1; used_names_.count(name); ++i) name = base + "_" + std::to_string(i);
  used_names_.insert(name);
  return name;
}

std::string KernelPrinter::name_of(const ir::Var& v) {
  auto it = var_names_.find(v.get());
  if (it != var_names_.end()) return it->second;
  return var_names_[v.get()] = fresh(v.name());
}

std::string KernelPrinter::name_of(const ir::Buffer& b) {
  auto it = buffer_names_.find(b.get());
  if (it != buffer_names_.end()) return it->second;
  return buffer_names_[b.get()] = fresh(b->name);
}

}  // namespace kiln::codegen::gpu
