#include "schedule/schedule.h"

#include "schedule/ir_utils.h"

namespace kiln::sched {

Schedule::Schedule(ir::PrimFunc func, uint64_t seed, ErrorRenderLevel level)
    : original_(func), func_(std::move(func)), rng_(seed), render_level_(level) {
  if (!func_) throw std::invalid_argument("Schedule needs a function");
}

Schedule::Schedule(ir::PrimFunc func, RandomEngine rng, ErrorRenderLevel level)
    : original_(func), func_(std::move(func)), rng_(rng), render_level_(level) {
  if (!func_) throw std::invalid_argument("Schedule needs a function");
}

const Schedule::Symbol& Schedule::symbol(const RV& rv, RV::Kind kind) const {
  if (rv.kind != kind || rv.id < 0 || rv.id >= static_cast<int>(symbols_.size()))
    throw std::invalid_argument("handle does not belong to this schedule");
  return symbols_[rv.id];
}

ir::Var Schedule::loop_var(LoopRV loop) const {
  return std::get<ir::Var>(symbol(loop, RV::Kind::kLoop));
}

std::string Schedule::block_name(BlockRV block) const {
  return std::get<std::string>(symbol(block, RV::Kind::kBlock));
}

int64_t Schedule::value(ExprRV v) const { return std::get<int64_t>(symbol(v, RV::Kind::kExpr)); }

ir::Stmt Schedule::loop_stmt(LoopRV loop) const {
  ir::Var v = loop_var(loop);
  ir::Stmt s = find_loop(func_, v);
  if (!s.defined())
    throw ScheduleError("schedule", "loop `" + v.name() + "` no longer exists",
                        "An earlier primitive (split, fuse, compute_at, blockize...) replaced it; "
                        "use the loops that primitive returned, or get_loops() again");
  return s;
}

ir::Stmt Schedule::block_stmt(BlockRV block) const {
  std::string name = block_name(block);
  ir::Stmt s = find_block(func_, name);
  if (!s.defined())
    throw ScheduleError("schedule", "block \"" + name + "\" no longer exists",
                        "An earlier primitive (compute_inline, blockize...) removed it");
  return s;
}

void Schedule::record(const std::string& kind, std::vector<Input> inputs, std::vector<Attr> attrs,
                      std::vector<RV> outputs, std::optional<Decision> decision) {
  trace_.append({&instruction_kind(kind), std::move(inputs), std::move(attrs), std::move(outputs)},
                std::move(decision));
}

LoopRV Schedule::add_loop(const ir::Var& loop_var) {
  symbols_.emplace_back(loop_var);
  return LoopRV{static_cast<int>(symbols_.size()) - 1};
}

BlockRV Schedule::add_block(const std::string& name) {
  symbols_.emplace_back(name);
  return BlockRV{static_cast<int>(symbols_.size()) - 1};
}

ExprRV Schedule::add_value(int64_t value) {
  symbols_.emplace_back(value);
  return ExprRV{static_cast<int>(symbols_.size()) - 1};
}

}  // namespace kiln::sched
