#include "codegen/passes/gpu_split_kernels.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "codegen/build.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::codegen {

namespace {

using BufferSet = std::set<const ir::BufferNode*>;

// The buffers a statement reads or writes, its thread-bound extents, and
// whether it has loops at all.
struct KernelScan : ir::IRVisitor {
  BufferSet buffers;
  std::map<std::string, int64_t> extents;
  bool has_loop = false;

  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    buffers.insert(op->buffer.get());
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    buffers.insert(op->buffer.get());
    ir::IRVisitor::visit_buffer_store(op);
  }
  void visit_allocate(const ir::AllocateNode* op) override {
    buffers.insert(op->buffer.get());
    ir::IRVisitor::visit_allocate(op);
  }
  void visit_for(const ir::ForNode* op) override {
    has_loop = true;
    const std::string& tag = op->thread_tag;
    if (op->for_kind == ir::ForKind::kThreadBinding &&
        (tag.rfind("blockIdx.", 0) == 0 || tag.rfind("threadIdx.", 0) == 0)) {
      const int64_t* extent = ir::as_const_int(op->extent);
      if (!extent)
        throw BuildError("gpu_split_kernels: loop " + op->loop_var.name() + " bound to " + tag +
                         " has a non-constant extent");
      int64_t& e = extents[tag];
      e = std::max(e, *extent);
    }
    ir::IRVisitor::visit_for(op);
  }
};

struct Root {
  std::vector<ir::Buffer> workspaces;
  // Shared/local buffers allocated at the root, to move into their kernel.
  std::vector<ir::Buffer> kernel_allocations;
  std::vector<ir::Stmt> statements;
};

void collect(const ir::Stmt& s, Root* root) {
  if (const auto* a = s.as<ir::AllocateNode>()) {
    if (a->buffer->scope == "global")
      root->workspaces.push_back(a->buffer);
    else
      root->kernel_allocations.push_back(a->buffer);
    collect(a->body, root);
    return;
  }
  if (const auto* seq = s.as<ir::SeqStmtNode>()) {
    for (const ir::Stmt& c : seq->seq) collect(c, root);
    return;
  }
  if (const auto* e = s.as<ir::EvaluateNode>(); e && e->value.as<ir::IntImmNode>()) return;
  if (s.as<ir::LetStmtNode>())
    throw BuildError(
        "gpu_split_kernels: a let at the function's root cannot be shared by the kernels; "
        "this is a kiln bug (simplify_stmt inlines root lets)");
  root->statements.push_back(s);
}

std::string kernel_name(const std::string& func, size_t index, size_t count) {
  std::string base;
  for (char c : func) base += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0]))) base = "f_" + base;
  return count == 1 ? base + "_kernel" : base + "_kernel" + std::to_string(index);
}

}  // namespace

gpu::GpuProgram gpu_split_kernels(const ir::PrimFunc& lowered) {
  gpu::GpuProgram program;
  program.name = lowered->name;
  program.params = lowered->params;
  Root root;
  collect(lowered->body, &root);
  program.workspaces = root.workspaces;
  // Arguments: parameters, then workspaces, by position.
  std::vector<ir::Buffer> arguments = program.params;
  arguments.insert(arguments.end(), program.workspaces.begin(), program.workspaces.end());

  std::map<const ir::BufferNode*, size_t> owner;  // kernel allocation → kernel
  for (size_t k = 0; k < root.statements.size(); ++k) {
    ir::Stmt body = root.statements[k];
    KernelScan scan;
    scan.visit(body);
    if (scan.extents.empty() && scan.has_loop) {
      throw BuildError("gpu_split_kernels: in " + lowered->name +
                       ", a statement at the root is "
                       "not bound to GPU threads:\n" +
                       ir::to_script(body).substr(0, 800) +
                       "Bind its outer loops with sch.bind(loop, \"blockIdx.x\") and "
                       "sch.bind(loop, \"threadIdx.x\") (a GPU runs no serial outer loop).");
    }
    for (const ir::Buffer& b : root.kernel_allocations) {
      if (!scan.buffers.count(b.get())) continue;
      if (owner.count(b.get()))
        throw BuildError("gpu_split_kernels: " + b->scope + " buffer " + b->name +
                         " is used by kernels " + std::to_string(owner[b.get()]) + " and " +
                         std::to_string(k) + " of " + lowered->name + "; " + b->scope +
                         " memory does not outlive a kernel, so compute it where it is used "
                         "(compute_at under the kernel's blockIdx loop)");
      owner[b.get()] = k;
      body = ir::allocate(b, body);
    }
    gpu::GpuKernel kernel;
    kernel.name = kernel_name(lowered->name, k, root.statements.size());
    kernel.body = body;
    for (size_t a = 0; a < arguments.size(); ++a) {
      if (!scan.buffers.count(arguments[a].get())) continue;
      kernel.buffers.push_back(arguments[a]);
      kernel.arguments.push_back(static_cast<int>(a));
    }
    const char* axes = "xyz";
    for (int i = 0; i < 3; ++i) {
      auto grid = scan.extents.find(std::string("blockIdx.") + axes[i]);
      auto block = scan.extents.find(std::string("threadIdx.") + axes[i]);
      if (grid != scan.extents.end()) kernel.launch.grid[i] = grid->second;
      if (block != scan.extents.end()) kernel.launch.block[i] = block->second;
    }
    program.kernels.push_back(std::move(kernel));
  }
  return program;
}

}  // namespace kiln::codegen
