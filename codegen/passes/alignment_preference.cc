#include "codegen/passes/alignment_preference.h"

#include <unordered_map>

#include "ir/buffer.h"
#include "ir/functor.h"

namespace kiln::codegen {

namespace {

// Counts the elements wide vector accesses touch, each access as often as its
// loops run it (both arms of a condition count: an upper bound).
class WideAccessCounter : public ir::IRVisitor {
 public:
  std::unordered_map<const ir::BufferNode*, double> accesses;

 protected:
  void visit_for(const ir::ForNode* op) override {
    const int64_t* extent = ir::as_const_int(op->extent);
    const double saved = trips_;
    trips_ *= extent ? static_cast<double>(*extent) : 1.0;
    ir::IRVisitor::visit_for(op);
    trips_ = saved;
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    count(op->buffer, op->dtype);
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    count(op->buffer, op->value.dtype());
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  void count(const ir::Buffer& buffer, ir::DataType t) {
    if (t.lanes() > 1 && t.bytes() * t.lanes() > 16) accesses[buffer.get()] += trips_ * t.lanes();
  }
  double trips_ = 1.0;
};

}  // namespace

std::vector<bool> params_wanting_alignment(const ir::PrimFunc& lowered, int vector_bytes) {
  if (vector_bytes <= 16) return std::vector<bool>(lowered->params.size(), false);
  WideAccessCounter counter;
  counter.visit(lowered->body);
  std::vector<bool> wants;
  for (const ir::Buffer& p : lowered->params) {
    auto it = counter.accesses.find(p.get());
    const double elements = static_cast<double>(ir::num_elements(p));
    const bool big = elements * p->dtype.bytes() >= kAlignmentMinBytes;
    wants.push_back(big && it != counter.accesses.end() && it->second >= kAlignmentReuse * elements);
  }
  return wants;
}

}  // namespace kiln::codegen
