// Checks shared by the lowering tests: the lowered form's invariants
// (codegen/lowered_form.h) and the interpreter as the oracle of a lowering.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "codegen/passes/pipeline.h"
#include "fuzz/arguments.h"
#include "ir/functor.h"
#include "ir/interpreter.h"
#include "ir/printer.h"

namespace kiln::testing {

// Describes the first violation of the lowered form, or "" when there is none.
class LoweredFormChecker : public ir::IRVisitor {
 public:
  std::string problem;

 protected:
  void visit_block(const ir::BlockNode* op) override { fail("block `" + op->name + "` is left"); }
  void visit_block_realize(const ir::BlockRealizeNode* op) override {
    fail("block `" + op->block->name + "` is left");
  }
  void visit_for(const ir::ForNode* op) override {
    if (op->for_kind == ir::ForKind::kVectorized || op->for_kind == ir::ForKind::kUnrolled)
      fail(std::string(ir::for_kind_name(op->for_kind)) + " loop `" + op->loop_var.name() +
           "` is left");
    if (!ir::is_const_int(op->min, 0)) fail("loop `" + op->loop_var.name() + "` has a min");
    if (!ir::as_const_int(op->extent))
      fail("loop `" + op->loop_var.name() + "` has a symbolic extent");
    ir::IRVisitor::visit_for(op);
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    check_access(op->buffer, op->indices, op->dtype.lanes());
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    check_access(op->buffer, op->indices, op->value.dtype().lanes());
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  void check_access(const ir::Buffer& b, const std::vector<ir::Expr>& idx, int lanes) {
    if (b->shape.size() != 1 || idx.size() != 1)
      fail("buffer `" + b->name + "` is not flat");
    else if (idx[0].dtype().lanes() != lanes)
      fail("an access of `" + b->name + "` has an index of other lanes than its value");
  }
  void fail(const std::string& what) {
    if (problem.empty()) problem = what;
  }
};

inline std::string lowered_form_problem(const ir::PrimFunc& f) {
  LoweredFormChecker checker;
  checker.visit(f->body);
  for (const ir::Buffer& p : f->params)
    if (p->shape.size() != 1 && checker.problem.empty())
      checker.problem = "parameter `" + p->name + "` is not flat";
  return checker.problem;
}

// Lowers `func` and checks that the interpreter gives the same outputs for
// the lowered function (on flat views of the same arguments) as for `func`.
inline void expect_lowering_matches(const ir::PrimFunc& func, const Target& target,
                                    const std::string& context) {
  fuzz::Arguments expected = fuzz::make_arguments(func, 7);
  ir::interpret(func, expected.views);
  ir::PrimFunc lowered = codegen::lower(func, target);
  ASSERT_EQ(lowered_form_problem(lowered), "") << context << "\n" << ir::to_script(lowered);
  fuzz::Arguments got = fuzz::make_arguments(func, 7);
  ASSERT_NO_THROW(ir::interpret(lowered, got.flat_views)) << context << "\n"
                                                          << ir::to_script(lowered);
  EXPECT_EQ(fuzz::compare_outputs(expected, got), "") << context << "\n" << ir::to_script(lowered);
}

}  // namespace kiln::testing
