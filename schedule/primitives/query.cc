// Queries: handles to blocks and loops, and the dataflow between blocks.
#include <algorithm>
#include <set>

#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

// Buffers a block reads or writes, by identity.
std::set<const void*> buffers_of(const std::vector<ir::BufferRegion>& regions) {
  std::set<const void*> out;
  for (const auto& r : regions) out.insert(r.buffer.get());
  return out;
}

bool intersects(const std::set<const void*>& a, const std::set<const void*>& b) {
  return std::any_of(a.begin(), a.end(), [&](const void* x) { return b.count(x) > 0; });
}

// The blocks that share a scope (the nearest enclosing block) with `block`.
std::vector<ir::Stmt> siblings(const ir::PrimFunc& func, const ir::Stmt& block) {
  ir::Stmt scope = enclosing_block(func, block.get());
  return child_blocks(scope.defined() ? scope : func->body);
}

}  // namespace

BlockRV Schedule::get_block(const std::string& name) {
  return guard([&] {
    if (!find_block(func_, name).defined()) {
      std::string names;
      for (const ir::Stmt& b : all_blocks(func_))
        names += (names.empty() ? "" : ", ") + b.as<ir::BlockRealizeNode>()->block->name;
      throw ScheduleError("get_block", "there is no block named \"" + name + "\"",
                          "The blocks are: " + (names.empty() ? std::string("(none)") : names));
    }
    BlockRV rv = add_block(name);
    record("get_block", {}, {name}, {rv});
    return rv;
  });
}

std::vector<LoopRV> Schedule::get_loops(BlockRV block) {
  return guard([&] {
    ir::Stmt realize = block_stmt(block);
    std::vector<LoopRV> out;
    std::vector<RV> outs;
    // All loops above the block up to the function root (not only up to the
    // nearest block), outermost first, as TVM's get_loops.
    for (const ir::Stmt& s : path_to(func_, realize.get())) {
      if (const auto* f = s.as<ir::ForNode>()) {
        out.push_back(add_loop(f->loop_var));
        outs.push_back(out.back());
      }
    }
    record("get_loops", {block}, {}, outs);
    return out;
  });
}

namespace {
std::vector<BlockRV> record_blocks(Schedule& sch, const std::string& kind, RV input,
                                   const std::vector<ir::Stmt>& blocks) {
  std::vector<BlockRV> out;
  std::vector<RV> outs;
  for (const ir::Stmt& b : blocks) {
    out.push_back(sch.add_block(b.as<ir::BlockRealizeNode>()->block->name));
    outs.push_back(out.back());
  }
  sch.record(kind, {input}, {}, outs);
  return out;
}
}  // namespace

std::vector<BlockRV> Schedule::get_child_blocks(BlockRV block) {
  return guard([&] {
    return record_blocks(*this, "get_child_blocks", block, child_blocks(block_stmt(block)));
  });
}

std::vector<BlockRV> Schedule::get_child_blocks(LoopRV loop) {
  return guard([&] {
    return record_blocks(*this, "get_child_blocks", loop, child_blocks(loop_stmt(loop)));
  });
}

std::vector<BlockRV> Schedule::get_producers(BlockRV block) {
  return guard([&] {
    ir::Stmt me = block_stmt(block);
    auto reads = buffers_of(me.as<ir::BlockRealizeNode>()->block->reads);
    std::vector<ir::Stmt> found;
    for (const ir::Stmt& s : siblings(func_, me)) {
      if (s.get() == me.get()) continue;
      if (intersects(buffers_of(s.as<ir::BlockRealizeNode>()->block->writes), reads))
        found.push_back(s);
    }
    return record_blocks(*this, "get_producers", block, found);
  });
}

std::vector<BlockRV> Schedule::get_consumers(BlockRV block) {
  return guard([&] {
    ir::Stmt me = block_stmt(block);
    auto writes = buffers_of(me.as<ir::BlockRealizeNode>()->block->writes);
    std::vector<ir::Stmt> found;
    for (const ir::Stmt& s : siblings(func_, me)) {
      if (s.get() == me.get()) continue;
      if (intersects(buffers_of(s.as<ir::BlockRealizeNode>()->block->reads), writes))
        found.push_back(s);
    }
    return record_blocks(*this, "get_consumers", block, found);
  });
}

void register_query_instructions() {
  register_instruction_kind(
      {"get_block",
       true,
       false,
       {"name"},
       [](Schedule& sch, const std::vector<Input>&, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) -> std::vector<RV> {
         return {sch.get_block(attr_as<std::string>(attrs, 0))};
       },
       [](const std::vector<std::string>&, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         return "sch.get_block(" + attr_to_python(attrs.at(0)) + ")";
       }});
  register_instruction_kind(
      {"get_loops",
       true,
       false,
       {},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
          const std::optional<Decision>&) { return to_rvs(sch.get_loops(input_block(in, 0))); },
       nullptr,
       /*returns_list=*/true});
  auto blocks_of = [](auto method) {
    return [method](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>&,
                    const std::optional<Decision>&) {
      return to_rvs((sch.*method)(input_block(in, 0)));
    };
  };
  register_instruction_kind({"get_producers",
                             true,
                             false,
                             {},
                             blocks_of(&Schedule::get_producers),
                             nullptr,
                             /*returns_list=*/true});
  register_instruction_kind({"get_consumers",
                             true,
                             false,
                             {},
                             blocks_of(&Schedule::get_consumers),
                             nullptr,
                             /*returns_list=*/true});
  register_instruction_kind({"get_child_blocks",
                             true,
                             false,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>&) {
                               const RV& rv = std::get<RV>(in.at(0));
                               return rv.kind == RV::Kind::kLoop
                                          ? to_rvs(sch.get_child_blocks(LoopRV{rv.id}))
                                          : to_rvs(sch.get_child_blocks(BlockRV{rv.id}));
                             },
                             nullptr,
                             /*returns_list=*/true});
}

}  // namespace kiln::sched
