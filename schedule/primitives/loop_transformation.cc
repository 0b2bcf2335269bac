// split, fuse, reorder and add_unit_loop: reshaping a loop nest without
// touching blocks.
#include <algorithm>
#include <set>

#include "ir/op.h"
#include "schedule/block_analysis.h"
#include "schedule/ir_utils.h"
#include "schedule/loop_substitution.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

// Step 0 of every loop primitive: the loop must be a plain serial loop from
// 0 with a constant extent, the shape the loop transformations reason about.
int64_t check_plain_loop(const std::string& primitive, const ir::ForNode* f) {
  const int64_t* extent = ir::as_const_int(f->extent);
  if (!is_const_int(f->min, 0) || !extent)
    throw ScheduleError(
        primitive, "loop `" + f->loop_var.name() + "` does not start at 0 with a constant extent",
        "Only normalised loops can be transformed", f->loop_var);
  if (f->for_kind != ir::ForKind::kSerial)
    throw ScheduleError(
        primitive, "loop `" + f->loop_var.name() + "` is already " + ir::for_kind_name(f->for_kind),
        std::string("Apply ") + primitive + " before parallel/vectorize/unroll/bind", f->loop_var);
  return *extent;
}

std::string factors_text(const std::vector<std::optional<int64_t>>& factors) {
  std::string s = "[";
  for (size_t i = 0; i < factors.size(); ++i)
    s += (i ? ", " : "") + (factors[i] ? std::to_string(*factors[i]) : std::string("None"));
  return s + "]";
}

}  // namespace

std::vector<LoopRV> Schedule::split(LoopRV loop, const std::vector<Factor>& factor_inputs) {
  return guard([&] {
    // Step 1. Check the loop and the factors.
    ir::Stmt s = loop_stmt(loop);
    const auto* f = s.as<ir::ForNode>();
    const int64_t extent = check_plain_loop("split", f);
    std::vector<std::optional<int64_t>> factors;
    for (const Factor& fi : factor_inputs) {
      if (std::holds_alternative<std::monostate>(fi))
        factors.push_back(std::nullopt);
      else if (const auto* v = std::get_if<int64_t>(&fi))
        factors.push_back(*v);
      else
        factors.push_back(value(std::get<ExprRV>(fi)));
    }
    const std::string where =
        "loop `" + f->loop_var.name() + "` (extent " + std::to_string(extent) + ")";
    if (factors.size() < 2)
      throw ScheduleError("split",
                          where + " needs at least 2 factors, got " + factors_text(factors), "",
                          f->loop_var);
    int none_count = 0;
    int64_t known = 1;
    for (const auto& fa : factors) {
      if (!fa) {
        ++none_count;
        continue;
      }
      if (*fa < 1)
        throw ScheduleError("split",
                            where + " cannot be split by factors " + factors_text(factors) +
                                ": factors must be positive",
                            "Use sample_perfect_tile for factors that divide", f->loop_var);
      known *= *fa;
    }
    if (none_count > 1)
      throw ScheduleError(
          "split", where + ": factors " + factors_text(factors) + " leave more than one None",
          "At most one factor may be inferred", f->loop_var);
    for (auto& fa : factors)
      if (!fa) fa = (extent + known - 1) / known;
    int64_t product = 1;
    for (const auto& fa : factors) product *= *fa;
    if (product < extent)
      throw ScheduleError("split",
                          where + ": factors " + factors_text(factors) + " multiply to " +
                              std::to_string(product) + ", less than the extent",
                          "Make the factors cover the extent, or leave one as None", f->loop_var);

    // Step 2. Build the new loop variables and the expression of the old one.
    const ir::DataType t = f->loop_var.dtype();
    std::vector<ir::Var> vars;
    ir::Expr fused = ir::int_imm(t, 0);
    for (size_t i = 0; i < factors.size(); ++i) {
      vars.emplace_back(f->loop_var.name() + "_" + std::to_string(i), t);
      fused = fused * ir::int_imm(t, *factors[i]) + vars.back();
    }
    ir::arith::Analyzer analyzer = analyzer_for(func_, s.get());
    for (size_t i = 0; i < vars.size(); ++i)
      analyzer.bind(vars[i], ir::Range{ir::int_imm(t, 0), ir::int_imm(t, *factors[i])});
    fused = analyzer.simplify(fused);
    // A split that over-covers the extent guards every block below it.
    ir::Expr guard_pred = product > extent ? ir::lt(fused, ir::int_imm(t, extent)) : ir::Expr();

    // Step 3. Rebuild the nest and replace the loop.
    ir::Stmt body = substitute_loops(f->body, {{f->loop_var, fused}}, guard_pred, analyzer);
    for (size_t i = vars.size(); i-- > 0;)
      body = ir::for_loop(vars[i], ir::int_imm(t, 0), ir::int_imm(t, *factors[i]),
                          ir::ForKind::kSerial, body, "",
                          i + 1 == vars.size() ? f->annotations : ir::Annotations{});
    set_func(replace_stmt(func_, s.get(), body));

    std::vector<LoopRV> out;
    std::vector<Input> inputs{loop};
    for (const Factor& fi : factor_inputs) {
      if (const auto* v = std::get_if<ExprRV>(&fi))
        inputs.emplace_back(RV(*v));
      else if (const auto* c = std::get_if<int64_t>(&fi))
        inputs.emplace_back(*c);
      else
        inputs.emplace_back(std::monostate());
    }
    for (const ir::Var& v : vars) out.push_back(add_loop(v));
    record("split", std::move(inputs), {}, to_rvs(out));
    return out;
  });
}

LoopRV Schedule::fuse(const std::vector<LoopRV>& loops) {
  return guard([&] {
    // Step 1. The loops must be plain and directly nested, outer to inner.
    if (loops.empty())
      throw ScheduleError("fuse", "no loops given", "Pass the loops to fuse, outermost first");
    std::vector<ir::Stmt> stmts;
    std::vector<int64_t> extents;
    for (size_t i = 0; i < loops.size(); ++i) {
      stmts.push_back(loop_stmt(loops[i]));
      const auto* f = stmts.back().as<ir::ForNode>();
      extents.push_back(check_plain_loop("fuse", f));
      if (i > 0) {
        const auto* outer = stmts[i - 1].as<ir::ForNode>();
        if (!outer->body.same_as(stmts[i]))
          throw ScheduleError(
              "fuse",
              "loop `" + f->loop_var.name() + "` is not the only statement directly inside `" +
                  outer->loop_var.name() + "`",
              "Fuse only perfectly nested loops, given outermost first", outer->loop_var);
      }
    }
    // Step 2. One loop over the product; each old loop var is a digit of it.
    const auto* outer = stmts.front().as<ir::ForNode>();
    const ir::DataType t = outer->loop_var.dtype();
    int64_t total = 1;
    std::string name;
    for (size_t i = 0; i < stmts.size(); ++i) {
      total *= extents[i];
      name += stmts[i].as<ir::ForNode>()->loop_var.name() + "_";
    }
    ir::Var fused(name + "fused", t);
    ir::arith::Analyzer analyzer = analyzer_for(func_, stmts.front().get());
    analyzer.bind(fused, ir::Range{ir::int_imm(t, 0), ir::int_imm(t, total)});
    ir::VarMap map;
    int64_t inner = 1;
    for (size_t i = stmts.size(); i-- > 0;) {
      ir::Expr digit = ir::floordiv(fused, ir::int_imm(t, inner));
      if (i > 0) digit = ir::floormod(digit, ir::int_imm(t, extents[i]));
      map[stmts[i].as<ir::ForNode>()->loop_var] = analyzer.simplify(digit);
      inner *= extents[i];
    }
    // Step 3. Replace the nest.
    const auto* innermost = stmts.back().as<ir::ForNode>();
    ir::Stmt body = substitute_loops(innermost->body, map, ir::Expr(), analyzer);
    ir::Stmt loop =
        ir::for_loop(fused, ir::int_imm(t, 0), ir::int_imm(t, total), ir::ForKind::kSerial, body);
    set_func(replace_stmt(func_, stmts.front().get(), loop));
    LoopRV out = add_loop(fused);
    record("fuse", std::vector<Input>(loops.begin(), loops.end()), {}, {out});
    return out;
  });
}

void Schedule::reorder(const std::vector<LoopRV>& loops) {
  guard([&] {
    // Step 1. Find the loops; they must be distinct and lie on one path.
    std::vector<ir::Stmt> stmts;
    std::set<const void*> seen;
    for (LoopRV l : loops) {
      stmts.push_back(loop_stmt(l));
      if (!seen.insert(stmts.back().get()).second)
        throw ScheduleError("reorder", "loop `" + loop_var(l).name() + "` is given twice", "",
                            loop_var(l));
    }
    if (stmts.size() < 2) {
      record("reorder", std::vector<Input>(loops.begin(), loops.end()), {}, {});
      return;
    }
    std::vector<std::vector<ir::Stmt>> paths;
    for (const ir::Stmt& s : stmts) paths.push_back(path_to(func_, s.get()));
    size_t top = 0, bottom = 0;
    for (size_t i = 1; i < paths.size(); ++i) {
      if (paths[i].size() < paths[top].size()) top = i;
      if (paths[i].size() > paths[bottom].size()) bottom = i;
    }
    // Step 2. Between the top and the bottom loop there may be only loops,
    // each the single statement of the one above.
    const std::vector<ir::Stmt>& path = paths[bottom];
    size_t top_depth = paths[top].size() - 1;
    if (path.size() <= top_depth || !path[top_depth].same_as(stmts[top]))
      throw ScheduleError("reorder", "the loops are not nested in one another",
                          "Reorder only loops on one path from the root to a block",
                          loop_var(loops[bottom]));
    std::vector<ir::Stmt> chain(path.begin() + top_depth, path.end());
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      const auto* f = chain[i].as<ir::ForNode>();
      if (!f || !f->body.same_as(chain[i + 1]))
        throw ScheduleError(
            "reorder",
            "the loops are not perfectly nested: something besides loop `" +
                (chain[i + 1].as<ir::ForNode>() ? chain[i + 1].as<ir::ForNode>()->loop_var.name()
                                                : std::string("?")) +
                "` lies between them",
            "Reorder only loops that have nothing but the next loop in their body",
            f ? f->loop_var : ir::Var());
    }
    for (const ir::Stmt& s : stmts)
      if (std::find_if(chain.begin(), chain.end(),
                       [&](const ir::Stmt& c) { return c.same_as(s); }) == chain.end())
        throw ScheduleError(
            "reorder", "loop `" + s.as<ir::ForNode>()->loop_var.name() + "` is not on the path",
            "Reorder only loops on one path from the root to a block",
            s.as<ir::ForNode>()->loop_var);
    // A loop over both spatial and reduction iters cannot move: a reduction
    // would no longer start at its first iteration, where init runs.
    for (const ir::Stmt& s : stmts) {
      std::string block = mixed_iter_block_using(s);
      if (!block.empty())
        throw ScheduleError("reorder",
                            "loop `" + s.as<ir::ForNode>()->loop_var.name() +
                                "` runs both spatial and reduction iters of block \"" + block +
                                "\"",
                            "Reorder loops before fusing spatial with reduction loops",
                            s.as<ir::ForNode>()->loop_var);
    }
    for (const ir::Stmt& c : chain) {
      const auto* f = c.as<ir::ForNode>();
      if (!ir::as_const_int(f->min) || !ir::as_const_int(f->extent))
        throw ScheduleError("reorder", "loop `" + f->loop_var.name() + "` has a non-constant range",
                            "Loops whose bounds depend on other loops cannot move", f->loop_var);
    }
    // Step 3. The reordered loops take the chain positions of the given ones,
    // in the given order; other loops stay where they are.
    std::vector<ir::Stmt> order = chain;
    size_t next = 0;
    for (ir::Stmt& slot : order)
      if (seen.count(slot.get())) slot = stmts[next++];
    ir::Stmt body = chain.back().as<ir::ForNode>()->body;
    for (size_t i = order.size(); i-- > 0;) {
      const auto* f = order[i].as<ir::ForNode>();
      body = ir::for_loop(f->loop_var, f->min, f->extent, f->for_kind, body, f->thread_tag,
                          f->annotations);
    }
    set_func(replace_stmt(func_, chain.front().get(), body));
    record("reorder", std::vector<Input>(loops.begin(), loops.end()), {}, {});
  });
}

LoopRV Schedule::add_unit_loop(RV target) {
  return guard([&] {
    ir::Stmt s = target.kind == RV::Kind::kLoop ? loop_stmt(LoopRV{target.id})
                                                : block_stmt(BlockRV{target.id});
    ir::Var u("u", ir::DataType::Int(32));
    set_func(replace_stmt(func_, s.get(), ir::for_loop(u, 0, 1, ir::ForKind::kSerial, s)));
    LoopRV out = add_loop(u);
    record("add_unit_loop", {target}, {}, {out});
    return out;
  });
}

namespace {
std::string call_with_list(const std::string& name, const std::vector<std::string>& in,
                           size_t first, const std::string& keyword) {
  std::string s = "sch." + name + "(";
  if (first) s += in[0] + ", " + keyword + "=[";
  for (size_t i = first; i < in.size(); ++i) s += (i > first ? ", " : "") + in[i];
  return s + (first ? "])" : ")");
}
}  // namespace

void register_loop_instructions() {
  register_instruction_kind(
      {"split",
       false,
       false,
       {},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
          const std::optional<Decision>&) {
         std::vector<Factor> factors;
         for (size_t i = 1; i < in.size(); ++i) {
           if (const auto* v = std::get_if<int64_t>(&in[i]))
             factors.emplace_back(*v);
           else if (std::holds_alternative<std::monostate>(in[i]))
             factors.emplace_back(std::monostate());
           else
             factors.emplace_back(input_expr(in, i));
         }
         return to_rvs(sch.split(input_loop(in, 0), factors));
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>&,
          const std::optional<Decision>&) { return call_with_list("split", in, 1, "factors"); },
       /*returns_list=*/true});
  auto loops_of = [](const std::vector<Input>& in) {
    std::vector<LoopRV> loops;
    for (size_t i = 0; i < in.size(); ++i) loops.push_back(input_loop(in, i));
    return loops;
  };
  register_instruction_kind(
      {"fuse",
       false,
       false,
       {},
       [loops_of](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
                  const std::optional<Decision>&) {
         return std::vector<RV>{sch.fuse(loops_of(in))};
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>&,
          const std::optional<Decision>&) { return call_with_list("fuse", in, 0, ""); }});
  register_instruction_kind({"add_unit_loop",
                             false,
                             false,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>&) {
                               return std::vector<RV>{sch.add_unit_loop(std::get<RV>(in.at(0)))};
                             },
                             nullptr});
  register_instruction_kind(
      {"reorder",
       false,
       false,
       {},
       [loops_of](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
                  const std::optional<Decision>&) {
         sch.reorder(loops_of(in));
         return std::vector<RV>{};
       },
       [](const std::vector<std::string>& in, const std::vector<Attr>&,
          const std::optional<Decision>&) { return call_with_list("reorder", in, 0, ""); }});
}

}  // namespace kiln::sched
