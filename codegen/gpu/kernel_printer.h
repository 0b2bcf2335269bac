// The printer of one kernel (internal to codegen/gpu): statements in
// kernel_printer.cc, expressions in expr_printer.cc.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/gpu/dialect.h"
#include "codegen/gpu/gpu_kernel.h"
#include "codegen/gpu/source_printer.h"
#include "ir/arith/int_bound.h"
#include "ir/stmt.h"

namespace kiln::codegen::gpu {

// What the kernels of one source need from its preamble.
struct SourceFeatures {
  bool uses_half = false;
  bool uses_double = false;
  // Helper functions by name, with their definitions.
  std::map<std::string, std::string> helpers;
};

class KernelPrinter {
 public:
  KernelPrinter(const Dialect& dialect, const PrintOptions& options, SourceFeatures* features)
      : d_(dialect), options_(options), features_(features) {}
  // The kernel's definition; sets kernel.launch.dynamic_shared_bytes.
  std::string print(GpuKernel& kernel);

 private:
  // ---- statements (kernel_printer.cc)
  void stmt(const ir::Stmt& s);
  void buffer_store(const ir::BufferStoreNode* op);
  void for_loop(const ir::ForNode* op);
  void allocate(const ir::AllocateNode* op);
  void evaluate(const ir::EvaluateNode* op);
  void line(const std::string& text);
  // Lines queued while printing an expression (hoisted vector loads, lets)
  // go out before the statement that needed them.
  void flush_pending();
  std::string declare_shared(GpuKernel& kernel);

  // ---- expressions (expr_printer.cc)
  std::string expr(const ir::Expr& e);
  // Lane `i` of a vector expression, as a scalar expression.
  std::string lane_of(const ir::Expr& e, int i);
  std::string binary(ir::ExprKind kind, ir::DataType t, const ir::Expr& a, const ir::Expr& b,
                     const std::string& sa, const std::string& sb);
  std::string cast(ir::DataType to, ir::DataType from, const std::string& value);
  std::string call(const ir::CallNode* op, const std::vector<std::string>& args);
  std::string emulated_shuffle(ir::DataType t, const std::string& value, const std::string& mask);
  std::string int_literal(ir::DataType t, int64_t value) const;
  std::string scalar_load(const ir::Buffer& buffer, const std::string& index);
  // True when `index` (a ramp base) is a multiple of `lanes` for every value
  // of the variables, so that a vector access at it is aligned.
  bool aligned(const ir::Expr& index, int lanes) const;
  // True when a contiguous access of type `t` may be one vector access.
  bool vectorizable(const ir::Buffer& buffer, const ir::Expr& index) const;
  bool non_negative(const ir::Expr& e) const;
  std::string floor_helper(const char* which, ir::DataType t);
  std::string temp(const std::string& type, const std::string& value);
  void note_type(ir::DataType t);

  // ---- names
  std::string name_of(const ir::Var& v);
  std::string name_of(const ir::Buffer& b);
  std::string fresh(const std::string& hint);

  const Dialect& d_;
  const PrintOptions& options_;
  SourceFeatures* features_;
  std::ostringstream out_;
  int indent_ = 1;
  std::vector<std::string> pending_;
  std::unordered_map<const ir::VarNode*, std::string> var_names_;
  std::unordered_map<const ir::BufferNode*, std::string> buffer_names_;
  std::set<std::string> used_names_;
  // Vector let variables, lane by lane.
  std::unordered_map<const ir::VarNode*, std::vector<std::string>> vector_vars_;
  // Vector loads hoisted into the pending lines, lane by lane; valid until
  // they are flushed (the next statement may be in another scope).
  std::unordered_map<const ir::BufferLoadNode*, std::vector<std::string>> vector_loads_;
  ir::arith::VarBoundMap bounds_;
  std::map<std::string, int64_t> launch_extent_;
  // Shared allocations found in the body, hoisted to the kernel's top.
  std::vector<ir::Buffer> shared_;
  // OpenCL's emulated warps: the __local array of each shuffled type.
  std::map<std::string, ir::Buffer> shuffle_lanes_;
  int temps_ = 0;
};

}  // namespace kiln::codegen::gpu
