#include "codegen/passes/plan_allocations.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

bool is_thread_loop(const ir::ForNode* loop) {
  return loop->for_kind == ir::ForKind::kThreadBinding &&
         loop->thread_tag.rfind("threadIdx", 0) == 0;
}

// The loops every access of each allocated buffer is nested in.
class AccessScopes : public ir::IRVisitor {
 public:
  std::unordered_map<const ir::BufferNode*, std::vector<const ir::ForNode*>> common;
  std::vector<ir::Buffer> allocated;  // in the order blocks allocate them

 protected:
  void visit_block(const ir::BlockNode* op) override {
    for (const ir::Buffer& b : op->alloc_buffers) allocated.push_back(b);
    ir::IRVisitor::visit_block(op);
  }
  void visit_for(const ir::ForNode* op) override {
    loops_.push_back(op);
    ir::IRVisitor::visit_for(op);
    loops_.pop_back();
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    access(op->buffer);
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    access(op->buffer);
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  void access(const ir::Buffer& b) {
    auto [it, inserted] = common.try_emplace(b.get(), loops_);
    if (inserted) return;
    std::vector<const ir::ForNode*>& prefix = it->second;
    size_t n = 0;
    while (n < prefix.size() && n < loops_.size() && prefix[n] == loops_[n]) ++n;
    prefix.resize(n);
  }
  std::vector<const ir::ForNode*> loops_;
};

class AllocationPlacer : public ir::IRMutator {
 public:
  // Buffers to allocate around the body of each loop; nullptr: the root body.
  std::unordered_map<const ir::ForNode*, std::vector<ir::Buffer>> at;
  ir::Annotations attrs;
  std::vector<ir::Buffer> params;

 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    ir::Stmt out = ir::IRMutator::mutate_for(s, op);
    auto it = at.find(op);
    if (it == at.end()) return out;
    const auto* loop = out.as<ir::ForNode>();
    return ir::for_loop(loop->loop_var, loop->min, loop->extent, loop->for_kind,
                        wrap(loop->body, it->second), loop->thread_tag, loop->annotations);
  }
  ir::Block mutate_block(const ir::Block& block) override {
    ir::Block b = ir::IRMutator::mutate_block(block);
    const bool aligns = b->annotations.count("buffer_dim_align") > 0;
    if (b->alloc_buffers.empty() && !aligns && b->name != "root") return b;
    auto node = ir::copy_block(*b);
    node->alloc_buffers.clear();
    if (auto align = node->annotations.find("buffer_dim_align"); align != node->annotations.end()) {
      record_alignment(*node, std::get<std::vector<int64_t>>(align->second));
      node->annotations.erase("buffer_dim_align");
    }
    if (b->name == "root") node->body = wrap(node->body, at[nullptr]);
    return node;
  }

 private:
  static ir::Stmt wrap(ir::Stmt body, const std::vector<ir::Buffer>& buffers) {
    for (auto it = buffers.rbegin(); it != buffers.rend(); ++it) body = ir::allocate(*it, body);
    return body;
  }
  // [buffer index in writes, axis, factor, offset]* -> attrs per buffer name.
  void record_alignment(const ir::BlockNode& block, const std::vector<int64_t>& entries) {
    for (size_t i = 0; i + 3 < entries.size(); i += 4) {
      const ir::Buffer& buffer = block.writes.at(static_cast<size_t>(entries[i])).buffer;
      // A later compute_inline can leave the request on a parameter, whose
      // layout belongs to the caller.
      if (std::find(params.begin(), params.end(), buffer) != params.end()) continue;
      auto& value = attrs["storage_align:" + buffer->name];
      if (!std::holds_alternative<std::vector<int64_t>>(value)) value = std::vector<int64_t>{};
      auto& list = std::get<std::vector<int64_t>>(value);
      list.insert(list.end(), {entries[i + 1], entries[i + 2], entries[i + 3]});
    }
  }
};

}  // namespace

ir::PrimFunc plan_allocations(const ir::PrimFunc& func, bool gpu) {
  AccessScopes scopes;
  scopes.visit(func->body);
  AllocationPlacer placer;
  placer.attrs = func->attrs;
  placer.params = func->params;
  for (const ir::Buffer& buffer : scopes.allocated) {
    auto it = scopes.common.find(buffer.get());
    if (it == scopes.common.end()) continue;  // never accessed: no storage
    std::vector<const ir::ForNode*> loops = it->second;
    if (buffer->scope == "shared") {
      auto thread = std::find_if(loops.begin(), loops.end(), is_thread_loop);
      loops.erase(thread, loops.end());
    } else if (gpu && buffer->scope == "global") {
      loops.clear();
    }
    placer.at[loops.empty() ? nullptr : loops.back()].push_back(buffer);
  }
  ir::Stmt body = placer.mutate(func->body);
  auto node = std::make_shared<ir::PrimFuncNode>(*func);
  node->body = body;
  node->attrs = placer.attrs;
  return node;
}

}  // namespace kiln::codegen
