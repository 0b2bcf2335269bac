// annotate and unannotate: key/value hints on loops and blocks for later
// passes (e.g. "pragma_auto_unroll_max_step" = 64).
#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

ir::AnnotationValue to_annotation(const Attr& value, const std::string& key) {
  if (const auto* v = std::get_if<int64_t>(&value)) return *v;
  if (const auto* v = std::get_if<double>(&value)) return *v;
  if (const auto* v = std::get_if<std::string>(&value)) return *v;
  if (const auto* v = std::get_if<std::vector<int64_t>>(&value)) return *v;
  throw ScheduleError("annotate", "the value of annotation \"" + key + "\" is a list of floats",
                      "Annotate with an integer, a float, a string or a list of integers");
}

// Rebuilds the loop or block of `rv` with annotations changed by `edit`.
void edit_annotations(Schedule& sch, const RV& rv,
                      const std::function<void(ir::Annotations&)>& edit) {
  if (rv.kind == RV::Kind::kLoop) {
    ir::Stmt s = sch.loop_stmt(LoopRV{rv.id});
    const auto* f = s.as<ir::ForNode>();
    ir::Annotations ann = f->annotations;
    edit(ann);
    sch.set_func(replace_stmt(
        sch.func(), s.get(),
        ir::for_loop(f->loop_var, f->min, f->extent, f->for_kind, f->body, f->thread_tag, ann)));
  } else {
    ir::Stmt s = sch.block_stmt(BlockRV{rv.id});
    const auto* r = s.as<ir::BlockRealizeNode>();
    auto block = ir::copy_block(*r->block);
    edit(block->annotations);
    sch.set_func(
        replace_stmt(sch.func(), s.get(), ir::block_realize(r->iter_values, r->predicate, block)));
  }
}

}  // namespace

void Schedule::annotate(RV target, const std::string& key, const Attr& value) {
  guard([&] {
    ir::AnnotationValue v = to_annotation(value, key);
    edit_annotations(*this, target, [&](ir::Annotations& ann) { ann[key] = v; });
  });
  record("annotate", {target}, {key, value}, {});
}

void Schedule::annotate(RV target, const std::string& key, ExprRV value) {
  guard([&] {
    const int64_t v = this->value(value);
    edit_annotations(*this, target, [&](ir::Annotations& ann) { ann[key] = v; });
  });
  record("annotate", {target, RV(value)}, {key}, {});
}

void Schedule::unannotate(RV target, const std::string& key) {
  guard([&] {
    edit_annotations(*this, target, [&](ir::Annotations& ann) {
      if (!ann.erase(key))
        throw ScheduleError(
            "unannotate", "there is no annotation \"" + key + "\"",
            "Remove only annotations that were set",
            target.kind == RV::Kind::kLoop ? loop_var(LoopRV{target.id}) : ir::Var(),
            target.kind == RV::Kind::kBlock ? block_name(BlockRV{target.id}) : "");
    });
  });
  record("unannotate", {target}, {key}, {});
}

void register_annotate_instructions() {
  // annotate(target, key, literal): inputs [target], attrs [key, value];
  // annotate(target, key, sampled value): inputs [target, value], attrs [key].
  register_instruction_kind(
      {"annotate",
       false,
       false,
       {"ann_key", "ann_val"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         const RV target = std::get<RV>(in.at(0));
         if (in.size() == 2)
           sch.annotate(target, attr_as<std::string>(attrs, 0), ExprRV{std::get<RV>(in[1]).id});
         else
           sch.annotate(target, attr_as<std::string>(attrs, 0), attrs.at(1));
         return std::vector<RV>{};
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         const std::string value = in.size() == 2 ? in[1] : attr_to_python(attrs.at(1));
         return "sch.annotate(" + in.at(0) + ", ann_key=" + attr_to_python(attrs.at(0)) +
                ", ann_val=" + value + ")";
       }});
  register_instruction_kind({"unannotate",
                             false,
                             false,
                             {"ann_key"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>&) {
                               sch.unannotate(std::get<RV>(in.at(0)),
                                              attr_as<std::string>(attrs, 0));
                               return std::vector<RV>{};
                             },
                             nullptr});
}

}  // namespace kiln::sched
