#include "codegen/passes/gpu_lower_thread_allreduce.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codegen/build.h"
#include "codegen/passes/gpu_cross_thread_reduction.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::codegen {

namespace {

bool is_thread_loop(const ir::ForNode* op) {
  return op->for_kind == ir::ForKind::kThreadBinding && op->thread_tag.rfind("threadIdx.", 0) == 0;
}

int64_t next_power_of_two(int64_t n) {
  int64_t p = 1;
  while (p < n) p *= 2;
  return p;
}

class Lowerer : public ir::IRMutator {
 public:
  Lowerer(gpu::GpuKernel& kernel, const Target& target)
      : kernel_(kernel), warp_(target.warp_size) {}
  std::vector<ir::Buffer> shared;

 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    if (!is_thread_loop(op)) return ir::IRMutator::mutate_for(s, op);
    const ir::ForNode* saved = enclosing_[op->thread_tag];
    enclosing_[op->thread_tag] = op;
    ir::Stmt out = ir::IRMutator::mutate_for(s, op);
    enclosing_[op->thread_tag] = saved;
    return out;
  }

  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    const auto* call = op->value.as<ir::CallNode>();
    if (!call || call->op != ir::Intrinsic::kThreadAllreduce)
      return ir::IRMutator::mutate_buffer_store(s, op);
    return lower(op, call);
  }

 private:
  [[noreturn]] void refuse(const std::string& why) const {
    throw BuildError("gpu_lower_thread_allreduce: in kernel " + kernel_.name + ", " + why);
  }

  ir::Stmt lower(const ir::BufferStoreNode* store, const ir::CallNode* call) {
    const ir::Expr value = call->args[0];
    // Rebuilt calls (ir::call) bring every argument to the value's type:
    // the combiner may come back a float, the variable under a cast.
    auto uncast = [](ir::Expr e) {
      while (const auto* c = e.as<ir::CastNode>()) e = c->value;
      return e;
    };
    const ir::Expr combiner_arg = uncast(call->args[1]);
    std::optional<int64_t> code;
    if (const int64_t* i = ir::as_const_int(combiner_arg)) code = *i;
    if (const auto* f = combiner_arg.as<ir::FloatImmNode>()) code = static_cast<int64_t>(f->value);
    const ir::Expr thread_arg = uncast(call->args[2]);
    const auto* var = thread_arg.as<ir::VarNode>();
    if (!code || !var)
      refuse(ir::to_script(ir::Expr(std::make_shared<ir::CallNode>(*call))) +
             " needs a constant combiner and a loop variable (a kiln bug: lowering changed "
             "what gpu_cross_thread_reduction made)");
    const auto combiner = static_cast<AllreduceCombiner>(*code);
    const ir::ForNode* loop = nullptr;
    for (const auto& [tag, l] : enclosing_)
      if (l && l->loop_var.get() == var) loop = l;
    if (!loop)
      refuse("thread_allreduce over " + var->name +
             ", which is no enclosing threadIdx loop (a kiln bug: gpu_cross_thread_reduction "
             "makes it inside its loop)");
    const int axis = loop->thread_tag.back() - 'x';
    const std::array<int64_t, 3>& block = kernel_.launch.block;
    const int64_t extent = *ir::as_const_int(loop->extent);
    if (extent != block[axis])
      refuse("the reduction loop " + loop->loop_var.name() + " (" + loop->thread_tag + ") has " +
             std::to_string(extent) + " threads but the block has " + std::to_string(block[axis]) +
             " on that axis, so some would not take part; bind loops of one extent to " +
             loop->thread_tag);
    const ir::DataType index_type = loop->loop_var.dtype();
    auto imm = [&](int64_t v) { return ir::int_imm(index_type, v); };
    // The thread's index on every axis; an axis no enclosing loop binds is
    // read through a new loop over the whole launch (the same hardware index).
    std::vector<std::pair<ir::Var, std::string>> wrappers;
    ir::Expr index[3];
    const char* axes = "xyz";
    for (int b = 0; b < 3; ++b) {
      const std::string tag = std::string("threadIdx.") + axes[b];
      if (b == axis) {
        index[b] = loop->loop_var;
      } else if (block[b] == 1) {
        index[b] = imm(0);
      } else if (const ir::ForNode* other = enclosing_[tag]) {
        index[b] = other->loop_var;
      } else {
        ir::Var v(std::string("t") + axes[b], index_type);
        wrappers.push_back({v, tag});
        index[b] = v;
      }
    }
    const int64_t stride[3] = {1, block[0], block[0] * block[1]};
    const int64_t threads = block[0] * block[1] * block[2];
    ir::Expr group = imm(0);  // linear index of the group's first thread
    for (int b = 0; b < 3; ++b)
      if (b != axis && block[b] > 1) group = group + index[b] * imm(stride[b]);
    const ir::Expr t = loop->loop_var;
    const ir::DataType type = call->dtype;
    const ir::Buffer& out = store->buffer;
    const std::vector<ir::Expr>& at = store->indices;
    auto out_value = [&]() { return ir::buffer_load(out, at); };
    auto shuffle = [&](const ir::Expr& v, int64_t mask) {
      return ir::Expr(std::make_shared<ir::CallNode>(
          type, ir::Intrinsic::kWarpShuffleXor,
          std::vector<ir::Expr>{v, ir::int_imm(ir::DataType::Int(32), mask)}));
    };
    std::vector<ir::Stmt> steps;
    const bool whole_warps = warp_ > 1 && threads % warp_ == 0;
    const bool within_warp = extent <= warp_ && next_power_of_two(extent) == extent;
    const bool whole_warp_multiple = warp_ > 1 && extent % warp_ == 0 && extent / warp_ <= warp_;
    if (axis == 0 && whole_warps && (within_warp || whole_warp_multiple)) {
      // Butterflies within each warp: lanes differing in one bit swap and combine.
      steps.push_back(ir::buffer_store(out, value, at));
      for (int64_t mask = std::min<int64_t>(extent, warp_) / 2; mask >= 1; mask /= 2)
        steps.push_back(
            ir::buffer_store(out, combine(combiner, out_value(), shuffle(out_value(), mask)), at));
      if (extent > warp_) {
        // Each warp's total through shared memory; every warp combines them.
        const int64_t warps = extent / warp_;
        ir::Buffer partial = ir::make_buffer(out->name + "_warp_totals", type,
                                             {warps * (threads / extent)}, "shared");
        shared.push_back(partial);
        const ir::Expr lane = ir::floormod(t, imm(warp_));
        const ir::Expr base = ir::floordiv(group, imm(extent)) * imm(warps);
        steps.push_back(ir::if_then_else(
            ir::eq(lane, imm(0)),
            ir::buffer_store(partial, out_value(), {base + ir::floordiv(t, imm(warp_))})));
        // Every aligned group of `span` lanes takes all the totals (the rest
        // of the group the identity), so that the butterfly leaves the sum
        // in every lane, as the write-back after it needs.
        const int64_t span = next_power_of_two(warps);
        const ir::Expr slot = ir::floormod(lane, imm(span));
        ir::Stmt read_back = ir::buffer_store(out, ir::buffer_load(partial, {base + slot}), at);
        if (span == warps) {
          steps.push_back(read_back);
        } else {
          steps.push_back(ir::buffer_store(out, identity(combiner, type), at));
          steps.push_back(ir::if_then_else(slot < imm(warps), read_back));
        }
        for (int64_t mask = span / 2; mask >= 1; mask /= 2)
          steps.push_back(ir::buffer_store(
              out, combine(combiner, out_value(), shuffle(out_value(), mask)), at));
      }
    } else {
      // A tree in shared memory: at each step the lower half of the live
      // threads adds the upper half's values.
      ir::Buffer tree = ir::make_buffer(out->name + "_tree", type, {threads}, "shared");
      shared.push_back(tree);
      const ir::Expr mine = group + t * imm(stride[axis]);
      steps.push_back(ir::buffer_store(tree, value, {mine}));
      const bool power_of_two = next_power_of_two(extent) == extent;
      for (int64_t half = next_power_of_two(extent) / 2; half >= 1; half /= 2) {
        ir::Expr live = t < imm(half);
        if (!power_of_two) live = live && (t + imm(half) < imm(extent));
        ir::Expr sum = combine(combiner, ir::buffer_load(tree, {mine}),
                               ir::buffer_load(tree, {mine + imm(half * stride[axis])}));
        steps.push_back(ir::if_then_else(live, ir::buffer_store(tree, sum, {mine})));
      }
      steps.push_back(ir::buffer_store(out, ir::buffer_load(tree, {group}), at));
    }
    ir::Stmt result = ir::seq(steps);
    for (const auto& [v, tag] : wrappers) {
      const int b = tag.back() - 'x';
      result = ir::for_loop(v, imm(0), imm(block[b]), ir::ForKind::kThreadBinding, result, tag);
    }
    return result;
  }

  gpu::GpuKernel& kernel_;
  int warp_;  // 1 where the target has no warps (OpenCL without -warp_size)
  std::map<std::string, const ir::ForNode*> enclosing_;
};

}  // namespace

void gpu_lower_thread_allreduce(gpu::GpuProgram& program, const Target& target) {
  for (gpu::GpuKernel& kernel : program.kernels) {
    Lowerer lowerer(kernel, target);
    ir::Stmt body = lowerer.mutate(kernel.body);
    for (const ir::Buffer& b : lowerer.shared) body = ir::allocate(b, body);
    kernel.body = body;
  }
}

}  // namespace kiln::codegen
