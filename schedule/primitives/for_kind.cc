// parallel, vectorize, unroll and bind: how a loop runs, not what it covers.
#include "ir/op.h"
#include "schedule/block_analysis.h"
#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

bool is_thread_tag(const std::string& tag) {
  static const char* kTags[] = {"blockIdx.x",  "blockIdx.y",  "blockIdx.z",
                                "threadIdx.x", "threadIdx.y", "threadIdx.z",
                                "vthread.x",   "vthread.y",   "vthread.z"};
  for (const char* t : kTags)
    if (tag == t) return true;
  return false;
}

// Marks the loop `kind` after checking that its iterations may run in any
// order: no block reduces over it, except across threads of a block, which
// the GPU lowering turns into a cross-thread reduction.
void set_for_kind(Schedule& sch, const char* primitive, LoopRV loop, ir::ForKind kind,
                  const std::string& tag) {
  ir::Stmt s = sch.loop_stmt(loop);
  const auto* f = s.as<ir::ForNode>();
  if (kind == ir::ForKind::kVectorized && !ir::as_const_int(f->extent))
    throw ScheduleError(primitive, "loop `" + f->loop_var.name() + "` has a non-constant extent",
                        "Vectorize only loops with constant extents (split first)", f->loop_var);
  bool cross_thread_ok = kind == ir::ForKind::kThreadBinding && tag.rfind("threadIdx.", 0) == 0;
  if (kind != ir::ForKind::kUnrolled && kind != ir::ForKind::kSerial && !cross_thread_ok) {
    std::string block = reduction_block_using(s);
    if (!block.empty())
      throw ScheduleError(primitive,
                          "loop `" + f->loop_var.name() + "` carries the reduction of block \"" +
                              block + "\": its iterations cannot run in parallel",
                          "Apply it to a spatial loop, or rfactor the reduction first",
                          f->loop_var);
  }
  sch.set_func(replace_stmt(
      sch.func(), s.get(),
      ir::for_loop(f->loop_var, f->min, f->extent, kind, f->body, tag, f->annotations)));
}

}  // namespace

void Schedule::parallel(LoopRV loop) {
  guard([&] { set_for_kind(*this, "parallel", loop, ir::ForKind::kParallel, ""); });
  record("parallel", {loop}, {}, {});
}

void Schedule::vectorize(LoopRV loop) {
  guard([&] { set_for_kind(*this, "vectorize", loop, ir::ForKind::kVectorized, ""); });
  record("vectorize", {loop}, {}, {});
}

void Schedule::unroll(LoopRV loop) {
  guard([&] { set_for_kind(*this, "unroll", loop, ir::ForKind::kUnrolled, ""); });
  record("unroll", {loop}, {}, {});
}

void Schedule::bind(LoopRV loop, const std::string& thread_axis) {
  guard([&] {
    if (!is_thread_tag(thread_axis))
      throw ScheduleError("bind", "\"" + thread_axis + "\" is not a thread axis",
                          "Use blockIdx.{x,y,z}, threadIdx.{x,y,z} or vthread.{x,y,z}",
                          loop_var(loop));
    set_for_kind(*this, "bind", loop, ir::ForKind::kThreadBinding, thread_axis);
  });
  record("bind", {loop}, {thread_axis}, {});
}

void register_for_kind_instructions() {
  auto simple = [](void (Schedule::*method)(LoopRV)) {
    return [method](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
                    const std::optional<Decision>&) {
      (sch.*method)(input_loop(in, 0));
      return std::vector<RV>{};
    };
  };
  register_instruction_kind({"parallel", false, false, {}, simple(&Schedule::parallel), nullptr});
  register_instruction_kind({"vectorize", false, false, {}, simple(&Schedule::vectorize), nullptr});
  register_instruction_kind({"unroll", false, false, {}, simple(&Schedule::unroll), nullptr});
  register_instruction_kind({"bind",
                             false,
                             false,
                             {"thread_axis"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>&) {
                               sch.bind(input_loop(in, 0), attr_as<std::string>(attrs, 0));
                               return std::vector<RV>{};
                             },
                             [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
                                const std::optional<Decision>&) {
                               return "sch.bind(" + in[0] + ", " + attr_to_python(attrs[0]) + ")";
                             }});
}

}  // namespace kiln::sched
