#include "schedule/error.h"

#include <sstream>

#include "ir/printer.h"
#include "schedule/ir_utils.h"

namespace kiln::sched {

namespace {
// Long loop nests are cut: the head says where, the rest is noise.
std::string first_lines(const std::string& text, int max_lines) {
  std::istringstream in(text);
  std::string line, out;
  int n = 0;
  while (std::getline(in, line)) {
    if (n++ == max_lines) return out + "    ...\n";
    out += "    " + line + "\n";
  }
  return out;
}
}  // namespace

ScheduleError::ScheduleError(std::string primitive, std::string message, std::string hint,
                             ir::Var loop, std::string block)
    : primitive_(std::move(primitive)),
      message_(std::move(message)),
      hint_(std::move(hint)),
      loop_(std::move(loop)),
      block_(std::move(block)) {
  text_ = primitive_ + ": " + message_;
  if (!hint_.empty()) text_ += ". " + hint_;
}

void ScheduleError::render(const ir::PrimFunc& func) {
  ir::Stmt where;
  std::string what;
  if (loop_.defined()) {
    where = find_loop(func, loop_);
    what = "loop `" + loop_.name() + "`";
  } else if (!block_.empty()) {
    where = find_block(func, block_);
    what = "block \"" + block_ + "\"";
  }
  if (!where.defined()) return;
  text_ += "\n  at " + what + ":\n" + first_lines(ir::to_script(where), 12);
}

}  // namespace kiln::sched
