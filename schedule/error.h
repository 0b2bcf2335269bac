// ScheduleError: why a primitive refused, cheap to make and, for people,
// rendered with the offending block or loop in text form.
//
// A primitive throws a ScheduleError after its checks and before it changes
// anything, so the schedule is left exactly as it was. The search asks for
// the cheap form (no rendering); an interactive user gets the rendered one.
#pragma once

#include <stdexcept>
#include <string>

#include "ir/function.h"

namespace kiln::sched {

class ScheduleError : public std::exception {
 public:
  // `primitive`: "split"; `message`: what and why; `hint`: what to do instead
  // (may be empty). `loop` or `block` say where (either may be empty).
  ScheduleError(std::string primitive, std::string message, std::string hint = "",
                ir::Var loop = ir::Var(), std::string block = "");

  const char* what() const noexcept override { return text_.c_str(); }
  const std::string& primitive() const { return primitive_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  const ir::Var& loop() const { return loop_; }
  const std::string& block() const { return block_; }

  // Appends the offending loop or block, printed from `func`, to what().
  void render(const ir::PrimFunc& func);

 private:
  std::string primitive_, message_, hint_;
  ir::Var loop_;
  std::string block_;
  std::string text_;
};

// How much work a failing primitive spends on its message.
enum class ErrorRenderLevel { kDetail, kFast };

}  // namespace kiln::sched
