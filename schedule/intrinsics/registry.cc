#include "schedule/intrinsics/registry.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_set>

#include "ir/functor.h"
#include "ir/parser.h"
#include "schedule/intrinsics/builtin.h"
#include "schedule/ir_utils.h"

namespace kiln::sched {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, TensorIntrin> intrins;
};

Registry& raw_registry() {
  static Registry registry;
  return registry;
}

// The registry with the built-in intrinsics in it.
Registry& registry() {
  static std::once_flag once;
  std::call_once(once, [] {
    intrinsics::register_cpu_intrinsics();
    intrinsics::register_wmma_intrinsics();
  });
  return raw_registry();
}

// The root block of a desc or impl body; throws when the body is not one.
const ir::BlockNode& root_block(const ir::PrimFunc& func, const std::string& what) {
  const auto* realize = func->body.as<ir::BlockRealizeNode>();
  if (!realize || !realize->iter_values.empty() || !realize->block->iter_vars.empty() ||
      realize->block->init.defined() || !ir::as_const_int(realize->predicate) ||
      !is_const_int(realize->predicate, 1))
    throw std::invalid_argument(what +
                                " body must be a root block without iter vars, init or predicate");
  return *realize->block;
}

bool only_params_accessed(const ir::PrimFunc& func) {
  struct Finder : ir::IRVisitor {
    std::unordered_set<const ir::BufferNode*> params;
    bool foreign = false;
    void visit_buffer_load(const ir::BufferLoadNode* op) override {
      foreign |= !params.count(op->buffer.get());
      IRVisitor::visit_buffer_load(op);
    }
    void visit_buffer_store(const ir::BufferStoreNode* op) override {
      foreign |= !params.count(op->buffer.get());
      IRVisitor::visit_buffer_store(op);
    }
  } finder;
  for (const ir::Buffer& p : func->params) finder.params.insert(p.get());
  finder.visit(func->body);
  return !finder.foreign;
}

// Checks what tensorize relies on (see registry.h).
void check_pair(const std::string& name, const ir::PrimFunc& desc, const ir::PrimFunc& impl) {
  const std::string where = "tensor intrinsic \"" + name + "\": ";
  if (!desc || !impl)
    throw std::invalid_argument(where + "the description and implementation must be given");
  if (desc->params.size() != impl->params.size())
    throw std::invalid_argument(
        where + "the description has " + std::to_string(desc->params.size()) +
        " parameters and the implementation " + std::to_string(impl->params.size()));
  for (size_t i = 0; i < desc->params.size(); ++i) {
    const ir::Buffer &d = desc->params[i], &m = impl->params[i];
    bool same_shape = false;
    try {
      same_shape = ir::static_shape(d) == ir::static_shape(m);
    } catch (const std::logic_error&) {
      throw std::invalid_argument(where + "parameter " + std::to_string(i) +
                                  " has a non-constant shape");
    }
    if (!same_shape || d->dtype != m->dtype || d->scope != m->scope)
      throw std::invalid_argument(
          where + "parameter " + std::to_string(i) + " (`" + d->name +
          "`) differs in shape, dtype or scope between description and implementation");
  }
  const ir::BlockNode& desc_root = root_block(desc, where + "the description's");
  root_block(impl, where + "the implementation's");
  // The tensorized block's regions are the description's, moved onto the
  // real buffers: they must name parameters, with constant bounds.
  for (const auto* regions : {&desc_root.reads, &desc_root.writes}) {
    for (const ir::BufferRegion& r : *regions) {
      bool is_param = false;
      for (const ir::Buffer& p : desc->params) is_param |= p == r.buffer;
      bool constant = true;
      for (const ir::Range& range : r.region)
        constant &= ir::as_const_int(range.min) && ir::as_const_int(range.extent);
      if (!is_param || !constant)
        throw std::invalid_argument(
            where + "the description's root regions must be constant windows of its parameters");
    }
  }
  // Pasted into many blocks, the implementation must not bring blocks (their
  // names would clash) and may access nothing but its parameters.
  if (!child_blocks(impl->body).empty())
    throw std::invalid_argument(where + "the implementation's root block must not contain blocks");
  if (!only_params_accessed(impl))
    throw std::invalid_argument(where +
                                "the implementation accesses a buffer that is not a parameter");
}

void insert(Registry& r, const std::string& name, ir::PrimFunc desc, ir::PrimFunc impl) {
  check_pair(name, desc, impl);
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.intrins.emplace(name, TensorIntrin{name, std::move(desc), std::move(impl)}).second)
    throw std::invalid_argument("tensor intrinsic \"" + name + "\" is already registered");
}

}  // namespace

void register_tensor_intrin(const std::string& name, ir::PrimFunc desc, ir::PrimFunc impl) {
  insert(registry(), name, std::move(desc), std::move(impl));
}

const TensorIntrin* find_tensor_intrin(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.intrins.find(name);
  return it == r.intrins.end() ? nullptr : &it->second;
}

const TensorIntrin& get_tensor_intrin(const std::string& name) {
  if (const TensorIntrin* intrin = find_tensor_intrin(name)) return *intrin;
  std::string known;
  for (const std::string& n : tensor_intrin_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("no tensor intrinsic \"" + name + "\"; registered: " + known);
}

std::vector<std::string> tensor_intrin_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, intrin] : r.intrins) names.push_back(name);
  return names;
}

namespace intrinsics {

void add_builtin(const std::string& name, const std::string& desc_text,
                 const std::string& impl_text) {
  // Not registry(): this runs while it registers the built-ins.
  insert(raw_registry(), name, ir::parse_prim_func(desc_text), ir::parse_prim_func(impl_text));
}

}  // namespace intrinsics

}  // namespace kiln::sched
