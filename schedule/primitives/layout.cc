// set_scope, storage_align and transform_layout: where an intermediate buffer
// lives and how it is laid out. None changes what the program computes.
#include <algorithm>
#include <set>

#include "ir/arith/iter_map.h"
#include "ir/op.h"
#include "schedule/buffer_stage.h"
#include "schedule/index_map.h"
#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

constexpr const char* kAlignKey = "buffer_dim_align";

// The buffer of the block's reads or writes at `index`, which must be an
// intermediate buffer (allocated by a block): the layout and scope of a
// parameter belong to the caller.
ir::Buffer intermediate_buffer(const ir::PrimFunc& func, const std::string& primitive,
                               const ir::BlockNode& block, int64_t index, bool is_write) {
  ir::Buffer buffer = access_buffer(primitive, block, index, is_write);
  if (is_param(func, buffer))
    throw ScheduleError(
        primitive,
        "buffer `" + buffer->name +
            "` is a parameter of the function: its layout and scope belong "
            "to the caller",
        "Apply it to an intermediate buffer, e.g. the one cache_read/cache_write creates",
        ir::Var(), block.name);
  return buffer;
}

// Replaces `buffer` everywhere (it lives inside the block that allocates it).
ir::PrimFunc rewrite_everywhere(const ir::PrimFunc& func, const BufferAccessRewrite& rewrite) {
  ir::Stmt owner = allocating_block(func, rewrite.from);
  return replace_stmt(func, owner.get(), rewrite_buffer_access(owner, rewrite));
}

// The new shape of a buffer of `shape` under `map`, checking that the map is
// a bijection onto that shape. Throws a ScheduleError otherwise.
std::vector<ir::Expr> mapped_shape(const IndexMap& map, const std::vector<int64_t>& shape,
                                   const std::string& block) {
  auto fail = [&](const std::string& why, const std::string& hint) {
    throw ScheduleError("transform_layout", "index map `" + map.to_string() + "` " + why, hint,
                        ir::Var(), block);
  };
  if (map.inputs.size() != shape.size())
    fail("takes " + std::to_string(map.inputs.size()) + " indices but the buffer has " +
             std::to_string(shape.size()) + " dimensions",
         "Give the lambda one parameter per buffer dimension");
  std::set<std::string> names;
  ir::arith::VarRangeMap dom;
  for (size_t k = 0; k < shape.size(); ++k) {
    const std::string& name = map.inputs[k].name();
    if (!names.insert(name).second || name.empty())
      fail("has parameters without distinct names", "Name the lambda's parameters distinctly");
    dom[map.inputs[k]] = ir::Range{ir::index_imm(0), ir::index_imm(shape[k])};
  }
  for (const ir::Expr& e : map.outputs)
    for (const ir::VarNode* v : vars_of(e))
      if (std::none_of(map.inputs.begin(), map.inputs.end(),
                       [&](const ir::Var& in) { return in.get() == v; }))
        fail("uses `" + v->name + "`, which is not one of its parameters",
             "Use only the lambda's parameters");
  ir::arith::IterMapResult detected = ir::arith::detect_iter_map(map.outputs, dom);
  if (!detected.ok)
    fail("is not one-to-one over the buffer: " + detected.error,
         "Use a bijective map (splits and fusions of the indices, e.g. i // 16, i % 16)");
  std::vector<ir::Expr> out;
  for (size_t k = 0; k < detected.indices.size(); ++k) {
    const ir::arith::IterSum& sum = detected.indices[k];
    if (sum.base != 0 || (!sum.args.empty() && sum.args[0].scale != 1))
      fail("gives output " + std::to_string(k) + " values that do not fill [0, n)",
           "Make every output range densely from 0");
    out.push_back(ir::index_imm(sum.args.empty() ? 1 : sum.args[0].extent));
  }
  return out;
}

}  // namespace

void Schedule::set_scope(BlockRV block, int buffer_index, const std::string& storage_scope) {
  guard([&] {
    // Step 1. Check the scope name and the buffer.
    check_storage_scope("set_scope", storage_scope);
    const ir::BlockNode& b = *block_stmt(block).as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer = intermediate_buffer(func_, "set_scope", b, buffer_index, true);
    // Step 2. Replace the buffer by one in the new scope.
    set_func(rewrite_everywhere(
        func_, {buffer, ir::with_scope(buffer, storage_scope), nullptr, nullptr, false}));
  });
  record("set_scope", {block}, {int64_t{buffer_index}, storage_scope}, {});
}

void Schedule::storage_align(BlockRV block, int buffer_index, int axis, int factor, int offset) {
  guard([&] {
    // Step 1. Check the buffer and the alignment.
    ir::Stmt realize = block_stmt(block);
    const ir::BlockNode& b = *realize.as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer = intermediate_buffer(func_, "storage_align", b, buffer_index, true);
    const int ndim = static_cast<int>(buffer->shape.size());
    if (axis < 0 || axis >= ndim)
      throw ScheduleError("storage_align",
                          "axis " + std::to_string(axis) + " is out of range for `" + buffer->name +
                              "`, which has " + std::to_string(ndim) + " dimensions",
                          "Pass an axis in [0, " + std::to_string(ndim) + ")", ir::Var(), b.name);
    if (factor <= 0)
      throw ScheduleError("storage_align", "factor " + std::to_string(factor) + " is not positive",
                          "Align to a positive factor", ir::Var(), b.name);
    if (offset < 0 || offset >= factor)
      throw ScheduleError(
          "storage_align",
          "offset " + std::to_string(offset) + " is not in [0, " + std::to_string(factor) + ")",
          "Pass an offset smaller than the factor", ir::Var(), b.name);
    // Step 2. Record [buffer index, axis, factor, offset], replacing an
    // earlier request for the same axis; lowering turns it into strides.
    auto node = ir::copy_block(b);
    std::vector<int64_t> entries;
    if (auto it = node->annotations.find(kAlignKey); it != node->annotations.end())
      if (const auto* old = std::get_if<std::vector<int64_t>>(&it->second)) entries = *old;
    bool replaced = false;
    for (size_t i = 0; i + 3 < entries.size(); i += 4) {
      if (entries[i] == buffer_index && entries[i + 1] == axis) {
        entries[i + 2] = factor;
        entries[i + 3] = offset;
        replaced = true;
      }
    }
    if (!replaced) entries.insert(entries.end(), {buffer_index, axis, factor, offset});
    node->annotations[kAlignKey] = entries;
    const auto* r = realize.as<ir::BlockRealizeNode>();
    set_func(replace_stmt(func_, realize.get(),
                          ir::block_realize(r->iter_values, r->predicate, std::move(node))));
  });
  record("storage_align", {block},
         {int64_t{buffer_index}, int64_t{axis}, int64_t{factor}, int64_t{offset}}, {});
}

void Schedule::transform_layout(BlockRV block, int buffer_index, bool is_write_buffer,
                                const IndexMap& index_map) {
  guard([&] {
    // Step 1. Check the buffer and that the map is a bijection onto its new shape.
    const ir::BlockNode& b = *block_stmt(block).as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer =
        intermediate_buffer(func_, "transform_layout", b, buffer_index, is_write_buffer);
    for (const ir::Expr& e : buffer->shape)
      if (!ir::as_const_int(e))
        throw ScheduleError("transform_layout",
                            "buffer `" + buffer->name + "` has a symbolic shape", "", ir::Var(),
                            b.name);
    ir::Buffer relaid =
        ir::with_shape(buffer, mapped_shape(index_map, ir::static_shape(buffer), b.name));

    // Step 2. Map every access. A region that is a point maps to a point; a
    // wider one keeps a point in the outputs that only read point
    // dimensions and spans the whole new extent in the others.
    auto map_indices = [&](const std::vector<ir::Expr>& indices,
                           const ir::arith::Analyzer& analyzer) {
      std::vector<ir::Expr> out = index_map.apply(indices);
      for (ir::Expr& e : out) e = analyzer.simplify(e);
      return out;
    };
    auto map_region = [&](const std::vector<ir::Range>& region,
                          const ir::arith::Analyzer& analyzer) {
      std::vector<ir::Expr> mins;
      for (const ir::Range& r : region) mins.push_back(r.min);
      std::vector<ir::Expr> mapped = index_map.apply(mins);
      std::vector<ir::Range> out;
      for (size_t k = 0; k < mapped.size(); ++k) {
        bool point = true;
        for (const ir::VarNode* v : vars_of(index_map.outputs[k]))
          for (size_t d = 0; d < region.size(); ++d)
            if (index_map.inputs[d].get() == v && !is_const_int(region[d].extent, 1)) point = false;
        if (point)
          out.push_back(ir::Range{analyzer.simplify(mapped[k]), ir::index_imm(1)});
        else
          out.push_back(ir::Range{ir::index_imm(0), relaid->shape[k]});
      }
      return out;
    };

    // Step 3. Replace the buffer.
    set_func(rewrite_everywhere(func_, {buffer, relaid, map_indices, map_region, true}));
  });
  record("transform_layout", {block},
         {std::string(is_write_buffer ? "write" : "read"), int64_t{buffer_index},
          index_map.to_string()},
         {});
}

void register_layout_instructions() {
  register_instruction_kind({"set_scope",
                             false,
                             false,
                             {"buffer_index", "storage_scope"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>&) {
                               sch.set_scope(input_block(in, 0),
                                             static_cast<int>(attr_as<int64_t>(attrs, 0)),
                                             attr_as<std::string>(attrs, 1));
                               return std::vector<RV>{};
                             },
                             // `sch.set_scope(b0, 0, "shared")`
                             [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
                                const std::optional<Decision>&) {
                               return "sch.set_scope(" + in.at(0) + ", " +
                                      attr_to_python(attrs.at(0)) + ", " +
                                      attr_to_python(attrs.at(1)) + ")";
                             }});
  register_instruction_kind(
      {"storage_align",
       false,
       false,
       {"buffer_index", "axis", "factor", "offset"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         auto arg = [&](size_t i) { return static_cast<int>(attr_as<int64_t>(attrs, i)); };
         sch.storage_align(input_block(in, 0), arg(0), arg(1), arg(2), arg(3));
         return std::vector<RV>{};
       },
       nullptr});
  register_instruction_kind(
      {"transform_layout",
       false,
       false,
       {"buffer_index_type", "buffer_index", "index_map"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         IndexMap map;
         try {
           map = IndexMap::parse(attr_as<std::string>(attrs, 2));
         } catch (const std::invalid_argument& e) {
           throw ScheduleError("transform_layout", e.what(),
                               "Write the map as `lambda i, j: (new indices)`");
         }
         sch.transform_layout(input_block(in, 0), static_cast<int>(attr_as<int64_t>(attrs, 1)),
                              attr_as<std::string>(attrs, 0) == "write", map);
         return std::vector<RV>{};
       },
       // `sch.transform_layout(b0, ("write", 0), lambda i, j: (...))`
       [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         return "sch.transform_layout(" + in.at(0) + ", (" + attr_to_python(attrs.at(0)) + ", " +
                attr_to_python(attrs.at(1)) + "), " + attr_as<std::string>(attrs, 2) + ")";
       }});
}

}  // namespace kiln::sched
