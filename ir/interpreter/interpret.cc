#include <string>

#include "ir/buffer.h"
#include "ir/interpreter.h"
#include "ir/interpreter/compiler.h"

namespace kiln::ir {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

[[noreturn]] void argument_error(const PrimFunc& func, const std::string& what) {
  throw InterpreterError("interpret(" + func->name + "): " + what);
}

void check_arguments(const PrimFunc& func, const std::vector<TensorView>& args) {
  if (args.size() != func->params.size()) {
    argument_error(func, "expects " + std::to_string(func->params.size()) +
                             " arguments (one per parameter buffer), but was given " +
                             std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const Buffer& param = func->params[i];
    std::vector<int64_t> shape;
    for (const Expr& e : param->shape) {
      const int64_t* v = as_const_int(e);
      if (!v) argument_error(func, "parameter `" + param->name + "` has a non-constant shape");
      shape.push_back(*v);
    }
    const TensorView& arg = args[i];
    const std::string expected = param->dtype.str() + " " + shape_text(shape);
    const std::string given = arg.dtype.str() + " " + shape_text(arg.shape);
    if (arg.dtype != param->dtype || arg.shape != shape) {
      argument_error(func, "argument " + std::to_string(i) + " for parameter `" + param->name +
                               "` should be a " + expected + " tensor, but a " + given +
                               " tensor was given");
    }
    int64_t elements = 1;
    for (int64_t e : shape) elements *= e;
    if (elements > 0 && arg.data == nullptr) {
      argument_error(func, "argument " + std::to_string(i) + " for parameter `" + param->name +
                               "` has no data (a null pointer)");
    }
  }
}

}  // namespace

void interpret(const PrimFunc& func, const std::vector<TensorView>& args) {
  interp::Program program = interp::Compiler::compile(func);
  check_arguments(func, args);
  std::vector<interp::Scalar> slots(static_cast<size_t>(program.num_slots) + 1);
  std::vector<char*> buffers(static_cast<size_t>(program.num_buffers) + 1, nullptr);
  for (size_t i = 0; i < args.size(); ++i) {
    buffers[program.param_slots[i]] = static_cast<char*>(args[i].data);
  }
  interp::Frame frame{slots.data(), buffers.data()};
  program.body(frame);
}

}  // namespace kiln::ir
