#include "codegen/passes/gpu_verify.h"

#include <map>
#include <set>
#include <string>

#include "codegen/build.h"
#include "ir/buffer.h"
#include "ir/functor.h"

namespace kiln::codegen {

namespace {

[[noreturn]] void refuse(const gpu::GpuKernel& kernel, const Target& target,
                         const std::string& what) {
  throw BuildError("gpu_verify: kernel " + kernel.name + " cannot run on " + target.str() + ": " +
                   what);
}

bool uses(const ir::Stmt& s, const ir::VarNode* var) {
  struct Uses : ir::IRVisitor {
    const ir::VarNode* var;
    bool found = false;
    void visit_var(const ir::VarNode* v) override { found |= v == var; }
  } u;
  u.var = var;
  u.visit(s);
  return u.found;
}

// A buffer the statement both reads and writes (an accumulation), if any.
const ir::BufferNode* read_and_written(const ir::Stmt& s) {
  struct Scan : ir::IRVisitor {
    std::set<const ir::BufferNode*> reads, writes;
    void visit_buffer_load(const ir::BufferLoadNode* op) override {
      reads.insert(op->buffer.get());
      ir::IRVisitor::visit_buffer_load(op);
    }
    void visit_buffer_store(const ir::BufferStoreNode* op) override {
      writes.insert(op->buffer.get());
      ir::IRVisitor::visit_buffer_store(op);
    }
  } scan;
  scan.visit(s);
  for (const ir::BufferNode* b : scan.writes)
    if (scan.reads.count(b)) return b;
  return nullptr;
}

// A loop nested in one bound to the same hardware index (a cooperative
// fetch under the thread loops: both read the same index). The interpreter
// runs every pair (outer, inner), the GPU one thread per index, so they
// agree only when each outer iteration would do the same work, all of it:
//  - the inner body must not depend on the outer variable (else the GPU
//    runs only the diagonal outer == inner);
//  - the inner loop must not be longer than the outer one (the outer's
//    guard admits only outer-extent threads; the rest of the inner
//    iterations would never run);
//  - the inner body must not accumulate into a buffer (repeating it per
//    outer iteration, as the interpreter does, would count it again).
// Returns why the nest is wrong, or "".
std::string check_nested(const ir::ForNode* outer, const ir::ForNode* inner) {
  const std::string where = "loop " + inner->loop_var.name() + " bound to " + inner->thread_tag +
                            " is inside loop " + outer->loop_var.name() +
                            " bound to the same axis (both read the same hardware index), ";
  if (uses(inner->body, outer->loop_var.get()))
    return where + "and its body depends on " + outer->loop_var.name() +
           ", so a thread would run only the iteration where both are equal; a stage "
           "computed under the thread loops must cover the whole block's tile (compute_at "
           "a shared buffer) or use its own loops only";
  const int64_t* outer_extent = ir::as_const_int(outer->extent);
  const int64_t* inner_extent = ir::as_const_int(inner->extent);
  if (outer_extent && inner_extent && *inner_extent > *outer_extent)
    return where + "and it has " + std::to_string(*inner_extent) + " iterations where only " +
           std::to_string(*outer_extent) +
           " threads enter the outer loop; split the inner loop by the outer loop's extent";
  if (const ir::BufferNode* b = read_and_written(inner->body))
    return where + "and its body accumulates into " + b->name +
           ", which every iteration of the outer loop would repeat; accumulate in a loop of "
           "its own, not under a second loop of the same axis";
  return "";
}

// Barriers under a thread loop shorter than the launch, shuffles, and a
// thread loop nested in one of the same tag whose work depends on the outer
// one (both are the same hardware index: a thread runs only the diagonal).
struct SyncScan : ir::IRVisitor {
  const gpu::GpuKernel* kernel = nullptr;
  std::string guarded_loop;  // innermost enclosing guarded thread loop
  std::string barrier_error;
  std::string nesting_error;
  std::map<std::string, const ir::ForNode*> enclosing;  // thread tag → outer loop
  bool has_shuffle = false;

  void visit_for(const ir::ForNode* op) override {
    const std::string saved = guarded_loop;
    const std::string& tag = op->thread_tag;
    const bool hardware = op->for_kind == ir::ForKind::kThreadBinding &&
                          (tag.rfind("threadIdx.", 0) == 0 || tag.rfind("blockIdx.", 0) == 0);
    const ir::ForNode* outer = nullptr;
    if (hardware) {
      auto it = enclosing.find(tag);
      if (it != enclosing.end()) {
        outer = it->second;
        if (nesting_error.empty()) nesting_error = check_nested(outer, op);
      }
      enclosing[tag] = op;
    }
    if (op->for_kind == ir::ForKind::kThreadBinding && tag.rfind("threadIdx.", 0) == 0) {
      const int axis = tag.back() - 'x';
      const int64_t* extent = ir::as_const_int(op->extent);
      if (extent && axis >= 0 && axis < 3 && *extent < kernel->launch.block[axis])
        guarded_loop = op->loop_var.name() + " (" + tag + ", extent " + std::to_string(*extent) +
                       " of " + std::to_string(kernel->launch.block[axis]) + ")";
    }
    ir::IRVisitor::visit_for(op);
    guarded_loop = saved;
    if (hardware) {
      if (outer)
        enclosing[tag] = outer;
      else
        enclosing.erase(tag);
    }
  }
  void visit_call(const ir::CallNode* op) override {
    // A shuffle too: every lane of the warp must take part.
    const bool everyone =
        op->op == ir::Intrinsic::kGpuBarrier || op->op == ir::Intrinsic::kWarpShuffleXor;
    if (everyone && !guarded_loop.empty() && barrier_error.empty()) barrier_error = guarded_loop;
    if (op->op == ir::Intrinsic::kWarpShuffleXor) has_shuffle = true;
    ir::IRVisitor::visit_call(op);
  }
};

// The floating-point widths a kernel computes or stores in.
struct PrecisionScan : ir::IRVisitor {
  bool fp16 = false, fp64 = false;
  void note(ir::DataType t) {
    fp16 |= t.is_float() && !t.is_bfloat16() && t.bits() == 16;
    fp64 |= t.is_float() && t.bits() == 64;
  }
  void visit_cast(const ir::CastNode* op) override {
    note(op->dtype);
    ir::IRVisitor::visit_cast(op);
  }
  void visit_float_imm(const ir::FloatImmNode* op) override { note(op->dtype); }
  void visit_allocate(const ir::AllocateNode* op) override {
    note(op->buffer->dtype);
    ir::IRVisitor::visit_allocate(op);
  }
};

}  // namespace

int64_t gpu_shared_bytes(const gpu::GpuKernel& kernel) {
  struct Scan : ir::IRVisitor {
    int64_t bytes = 0;
    void visit_allocate(const ir::AllocateNode* op) override {
      if (op->buffer->scope == "shared" || op->buffer->scope == "shared.dyn")
        bytes += (ir::num_elements(op->buffer) * op->buffer->dtype.bytes() + 15) / 16 * 16;
      ir::IRVisitor::visit_allocate(op);
    }
  } scan;
  scan.visit(kernel.body);
  return scan.bytes;
}

void gpu_verify(const gpu::GpuProgram& program, const Target& target) {
  static const int64_t kMaxGrid[3] = {2147483647, 65535, 65535};
  const char* axes = "xyz";
  for (const gpu::GpuKernel& k : program.kernels) {
    const runtime::LaunchConfig& c = k.launch;
    const int64_t threads = c.threads_per_block();
    if (target.max_threads_per_block > 0 && threads > target.max_threads_per_block)
      refuse(k, target,
             std::to_string(threads) + " threads per block (" + std::to_string(c.block[0]) + " x " +
                 std::to_string(c.block[1]) + " x " + std::to_string(c.block[2]) +
                 ") exceed the limit of " + std::to_string(target.max_threads_per_block) +
                 "; split the loops bound to threadIdx.* with smaller factors");
    for (int i = 0; i < 3; ++i) {
      if (target.max_block_dims[i] > 0 && c.block[i] > target.max_block_dims[i])
        refuse(k, target,
               std::string("threadIdx.") + axes[i] + " has extent " + std::to_string(c.block[i]) +
                   ", over the limit of " + std::to_string(target.max_block_dims[i]) +
                   "; bind a smaller loop to it");
      if (c.grid[i] > kMaxGrid[i])
        refuse(k, target,
               std::string("blockIdx.") + axes[i] + " has extent " + std::to_string(c.grid[i]) +
                   ", over the limit of " + std::to_string(kMaxGrid[i]) +
                   "; bind part of it to another blockIdx axis");
    }
    const int64_t shared = gpu_shared_bytes(k);
    if (target.max_shared_memory_per_block > 0 && shared > target.max_shared_memory_per_block)
      refuse(k, target,
             "it uses " + std::to_string(shared) +
                 " bytes of shared memory per block, over the "
                 "limit of " +
                 std::to_string(target.max_shared_memory_per_block) +
                 "; stage smaller tiles with cache_read(..., \"shared\") under an inner loop");
    SyncScan scan;
    scan.kernel = &k;
    scan.visit(k.body);
    if (!scan.barrier_error.empty())
      refuse(k, target,
             "a barrier or warp shuffle is needed inside loop " + scan.barrier_error +
                 ", which only part of the block runs, so the other threads would never reach "
                 "it; bind loops of equal extent to each threadIdx axis");
    if (!scan.nesting_error.empty()) refuse(k, target, scan.nesting_error);
    if (scan.has_shuffle && target.warp_size < 2)
      refuse(k, target, "it uses warp shuffles, which the target has no warps for");
    PrecisionScan precision;
    for (const ir::Buffer& b : k.buffers) precision.note(b->dtype);
    precision.visit(k.body);
    if (precision.fp16 && !target.has_fp16)
      refuse(k, target,
             "it computes in float16, and the device has no half arithmetic (OpenCL: no "
             "cl_khr_fp16); use float32 buffers, or a device that has it");
    if (precision.fp64 && !target.has_fp64)
      refuse(k, target,
             "it computes in float64, and the device has no double arithmetic (OpenCL: no "
             "cl_khr_fp64); use float32 buffers, or a device that has it");
  }
}

}  // namespace kiln::codegen
