#include "search/reference.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "codegen/build.h"
#include "codegen/passes/stmt_utils.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "ir/interpreter.h"
#include "ir/interpreter/float16.h"
#include "runtime/byte_sections.h"
#include "schedule/random.h"

namespace kiln::search {

namespace {

constexpr std::string_view kMagic = "KILNREF1";
// Block instances the interpreter runs in about a second.
constexpr double kInterpreterWork = 2e7;

double read_element(const char* data, ir::DataType t, int64_t i) {
  const char* p = data + i * t.bytes();
  auto get = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  if (t.is_bfloat16()) return ir::bfloat16_bits_to_double(get(uint16_t{}));
  if (t.is_float()) {
    if (t.bits() == 16) return ir::half_bits_to_double(get(uint16_t{}));
    return t.bits() == 32 ? get(float{}) : get(double{});
  }
  if (t.is_bool()) return get(uint8_t{}) != 0;
  const bool s = t.is_int();
  switch (t.bits()) {
    case 8: return s ? get(int8_t{}) : get(uint8_t{});
    case 16: return s ? get(int16_t{}) : get(uint16_t{});
    case 32: return s ? get(int32_t{}) : get(uint32_t{});
    default: return s ? static_cast<double>(get(int64_t{})) : static_cast<double>(get(uint64_t{}));
  }
}

void write_element(char* data, ir::DataType t, int64_t i, double v) {
  char* p = data + i * t.bytes();
  auto put = [p](auto value) { std::memcpy(p, &value, sizeof(value)); };
  if (t.is_bfloat16()) return put(ir::double_to_bfloat16_bits(v));
  if (t.is_float()) {
    if (t.bits() == 16) return put(ir::double_to_half_bits(v));
    return t.bits() == 32 ? put(static_cast<float>(v)) : put(v);
  }
  if (t.is_bool()) return put(static_cast<uint8_t>(v != 0));
  const auto n = static_cast<int64_t>(v);
  switch (t.bits()) {
    case 8: return put(static_cast<int8_t>(n));
    case 16: return put(static_cast<int16_t>(n));
    case 32: return put(static_cast<int32_t>(n));
    default: return put(n);
  }
}

// Units in the last place of 1.0 for a float dtype.
double epsilon(ir::DataType t) {
  if (t.is_bfloat16()) return 0x1p-7;
  if (t.bits() == 16) return 0x1p-10;
  if (t.bits() == 32) return 0x1p-23;
  return 0x1p-52;
}

// The block instances the function runs, and its longest reduction.
class WorkCounter : public ir::IRVisitor {
 public:
  double instances = 0;
  double longest_reduction = 1;

 protected:
  void visit_block(const ir::BlockNode* op) override {
    double all = 1, reduction = 1;
    for (const ir::IterVar& iv : op->iter_vars) {
      const int64_t* extent = ir::as_const_int(iv.dom.extent);
      const double e = extent ? static_cast<double>(*extent) : 1.0;
      all *= e;
      if (iv.kind == ir::IterKind::kReduction) reduction *= e;
    }
    if (!op->iter_vars.empty()) instances += all;
    longest_reduction = std::max(longest_reduction, reduction);
    ir::IRVisitor::visit_block(op);
  }
};

std::string element_name(const ReferenceParam& p, int64_t flat) {
  std::string index;
  for (size_t d = p.shape.size(); d-- > 0;) {
    index = std::to_string(flat % p.shape[d]) + (index.empty() ? "" : ", ") + index;
    flat /= p.shape[d];
  }
  return p.name + "[" + index + "]";
}

// Runs the function on `params` (outputs from their initial values) and
// leaves the outputs in data.
void run_untransformed(const ir::PrimFunc& func, std::vector<ReferenceParam>& params,
                       bool interpreter) {
  for (ReferenceParam& p : params)
    if (p.output) p.data = p.initial;
  if (interpreter) {
    std::vector<ir::TensorView> views;
    for (ReferenceParam& p : params) views.push_back({p.data.data(), p.dtype, p.shape});
    ir::interpret(func, views);
    return;
  }
  Module m = build(func, Target("llvm"));
  std::vector<DLTensor> tensors(params.size());
  std::vector<const DLTensor*> args;
  for (size_t i = 0; i < params.size(); ++i) {
    DLTensor& t = tensors[i];
    t.data = params[i].data.data();
    t.device = {kDLCPU, 0};
    t.ndim = static_cast<int>(params[i].shape.size());
    t.dtype = runtime::parse_dtype(params[i].dtype.str());
    t.shape = params[i].shape.data();
    args.push_back(&t);
  }
  m.entry()(args);
}

}  // namespace

Reference make_reference(const Task& task, uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  const ir::PrimFunc& func = task.func();
  const auto written = codegen::stored_buffers(func->body);
  WorkCounter work;
  work.visit(func->body);
  sched::RandomEngine rng(seed);
  Reference ref;
  for (const ir::Buffer& b : func->params) {
    ReferenceParam p;
    p.name = b->name;
    p.dtype = b->dtype;
    p.shape = ir::static_shape(b);
    p.output = written.count(b.get()) > 0;
    const int64_t n = ir::num_elements(b);
    std::string& bytes = p.output ? p.initial : p.data;
    bytes.assign(static_cast<size_t>(n * b->dtype.bytes()), '\0');
    for (int64_t i = 0; i < n; ++i) {
      double v;
      if (p.output) {
        v = b->dtype.is_float() ? std::numeric_limits<double>::quiet_NaN() : 90;
      } else if (b->dtype.is_float()) {
        v = rng.uniform_real() * 2 - 1;
      } else if (b->dtype.is_bool()) {
        v = rng.uniform_real() < 0.5;
      } else {
        v = std::floor(rng.uniform_real() * 16) - (b->dtype.is_int() ? 8 : 0);
      }
      write_element(bytes.data(), b->dtype, i, v);
    }
    ref.params.push_back(std::move(p));
  }

  // The interpreter where it is quick enough; the untransformed function
  // compiled for this CPU where not, or where the interpreter cannot run it.
  std::string interpreter_failure;
  if (work.instances <= kInterpreterWork) {
    try {
      run_untransformed(func, ref.params, /*interpreter=*/true);
      ref.computed_by = "interpreter";
    } catch (const ir::InterpreterError& e) {
      interpreter_failure = e.what();
    }
  }
  if (ref.computed_by.empty()) {
    try {
      run_untransformed(func, ref.params, /*interpreter=*/false);
      ref.computed_by = "llvm (untransformed)";
    } catch (const std::exception& e) {
      throw std::runtime_error("task `" + task.name() + "`: cannot compute its reference outputs: " +
                               (interpreter_failure.empty() ? "" : "the interpreter says " +
                                                                       interpreter_failure + "; ") +
                               "building it unscheduled for this CPU says " + e.what());
    }
  }

  for (ReferenceParam& p : ref.params) {
    if (!p.output || !p.dtype.is_float()) continue;
    double largest = 1;
    const int64_t n = static_cast<int64_t>(p.data.size()) / p.dtype.bytes();
    for (int64_t i = 0; i < n; ++i) {
      const double v = std::fabs(read_element(p.data.data(), p.dtype, i));
      if (std::isfinite(v)) largest = std::max(largest, v);
    }
    p.tolerance = 8 * epsilon(p.dtype) * (work.longest_reduction + 1) * largest;
  }
  ref.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return ref;
}

CheckResult check_outputs(const Reference& reference, const std::vector<const void*>& outputs) {
  CheckResult result;
  for (size_t i = 0; i < reference.params.size(); ++i) {
    const ReferenceParam& p = reference.params[i];
    if (!p.output) continue;
    const char* got = static_cast<const char*>(outputs.at(i));
    const int64_t n = static_cast<int64_t>(p.data.size()) / p.dtype.bytes();
    double worst = 0;
    int64_t where = -1;
    for (int64_t e = 0; e < n; ++e) {
      const double expected = read_element(p.data.data(), p.dtype, e);
      const double x = read_element(got, p.dtype, e);
      double error;
      if (std::isnan(expected) || std::isnan(x))
        error = std::isnan(expected) && std::isnan(x) ? 0 : INFINITY;
      else if (std::isinf(expected) || std::isinf(x))
        error = expected == x ? 0 : INFINITY;
      else
        error = std::fabs(x - expected);
      if (error > worst) worst = error, where = e;
    }
    result.max_error = std::max(result.max_error, worst);
    if (where >= 0 && worst > p.tolerance && result.ok) {
      result.ok = false;
      char text[256];
      std::snprintf(text, sizeof(text), "max abs error %.4g at %s (expected %.6g, got %.6g; "
                    "tolerance %.3g)", worst, element_name(p, where).c_str(),
                    read_element(p.data.data(), p.dtype, where), read_element(got, p.dtype, where),
                    p.tolerance);
      result.message = text;
    }
  }
  return result;
}

std::string Reference::serialize() const {
  nlohmann::json header = {{"computed_by", computed_by}, {"seconds", seconds}};
  nlohmann::json list = nlohmann::json::array();
  for (const ReferenceParam& p : params)
    list.push_back({{"name", p.name}, {"dtype", p.dtype.str()}, {"shape", p.shape},
                    {"output", p.output}, {"tolerance", p.tolerance}});
  header["params"] = std::move(list);
  std::string out(kMagic);
  runtime::append_section(out, header.dump());
  for (const ReferenceParam& p : params) {
    runtime::append_section(out, p.data);
    runtime::append_section(out, p.initial);
  }
  return out;
}

Reference Reference::deserialize(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic)
    throw std::invalid_argument("reference data: the bytes do not start with " +
                                std::string(kMagic));
  bytes.remove_prefix(kMagic.size());
  Reference ref;
  try {
    const nlohmann::json header = nlohmann::json::parse(runtime::take_section(bytes, "header"));
    ref.computed_by = header.at("computed_by").get<std::string>();
    ref.seconds = header.at("seconds").get<double>();
    for (const nlohmann::json& j : header.at("params")) {
      ReferenceParam p;
      p.name = j.at("name").get<std::string>();
      p.dtype = ir::DataType::parse(j.at("dtype").get<std::string>());
      p.shape = j.at("shape").get<std::vector<int64_t>>();
      p.output = j.at("output").get<bool>();
      p.tolerance = j.at("tolerance").get<double>();
      p.data = runtime::take_section(bytes, "data");
      p.initial = runtime::take_section(bytes, "initial");
      ref.params.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("reference data: bad header: ") + e.what());
  }
  return ref;
}

}  // namespace kiln::search
