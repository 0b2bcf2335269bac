#include "schedule/trace.h"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "schedule/schedule.h"

namespace kiln::sched {

using nlohmann::json;

namespace {

// RV ids are per schedule; keys pack the kind with the id.
int64_t rv_key(const RV& rv) { return (static_cast<int64_t>(rv.kind) << 40) | rv.id; }

char rv_prefix(RV::Kind k) {
  return k == RV::Kind::kBlock ? 'b' : k == RV::Kind::kLoop ? 'l' : 'v';
}

// Names outputs b0, l1, l2, v3 ... in order of definition, as a user would.
class RVNamer {
 public:
  std::string define(const RV& rv) {
    std::string name = rv_prefix(rv.kind) + std::to_string(next_++);
    names_[rv_key(rv)] = name;
    return name;
  }
  std::string name(const RV& rv) const {
    auto it = names_.find(rv_key(rv));
    if (it == names_.end()) throw std::logic_error("trace uses a handle it never defined");
    return it->second;
  }

 private:
  int next_ = 0;
  std::unordered_map<int64_t, std::string> names_;
};

json attr_to_json(const Attr& a) {
  return std::visit([](const auto& v) { return json(v); }, a);
}

Attr attr_from_json(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    bool all_int = true;
    for (const json& e : j) {
      if (!e.is_number()) throw std::invalid_argument("trace attribute list holds a non-number");
      all_int &= e.is_number_integer();
    }
    if (all_int) return j.get<std::vector<int64_t>>();
    return j.get<std::vector<double>>();
  }
  throw std::invalid_argument("trace attribute " + j.dump() + " is not a number, string or list");
}

json decision_to_json(const Decision& d) {
  return std::visit([](const auto& v) { return json(v); }, d);
}

Decision decision_from_json(const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_array()) {
    for (const json& e : j)
      if (!e.is_number_integer())
        throw std::invalid_argument("trace decision list holds a non-integer");
    return j.get<std::vector<int64_t>>();
  }
  throw std::invalid_argument("trace decision " + j.dump() + " is not an integer or a list");
}

}  // namespace

void Trace::append(Instruction inst, std::optional<Decision> decision) {
  if (decision) decisions_[insts_.size()] = std::move(*decision);
  insts_.push_back(std::move(inst));
}

std::optional<Decision> Trace::decision_of(size_t index) const {
  auto it = decisions_.find(index);
  if (it == decisions_.end()) return std::nullopt;
  return it->second;
}

Trace Trace::with_decision(size_t index, Decision d) const {
  if (index >= insts_.size() || !insts_[index].kind->is_sampling)
    throw std::invalid_argument("instruction " + std::to_string(index) +
                                " is not a sampling instruction");
  Trace t = *this;
  t.decisions_[index] = std::move(d);
  return t;
}

Trace Trace::prefix(size_t n) const {
  Trace t;
  for (size_t i = 0; i < std::min(n, insts_.size()); ++i) t.append(insts_[i], decision_of(i));
  return t;
}

Trace Trace::without_dead_code() const {
  std::unordered_set<int64_t> used;
  std::vector<bool> live(insts_.size());
  for (size_t i = insts_.size(); i-- > 0;) {
    const Instruction& inst = insts_[i];
    bool needed = !inst.kind->is_pure;
    for (const RV& out : inst.outputs) needed |= used.count(rv_key(out)) > 0;
    live[i] = needed;
    if (!needed) continue;
    for (const Input& in : inst.inputs)
      if (const RV* rv = std::get_if<RV>(&in)) used.insert(rv_key(*rv));
  }
  Trace t;
  for (size_t i = 0; i < insts_.size(); ++i)
    if (live[i]) t.append(insts_[i], decision_of(i));
  return t;
}

Trace Trace::without_decisions() const {
  Trace t = *this;
  t.decisions_.clear();
  return t;
}

std::string Trace::as_python() const {
  RVNamer namer;
  std::string out;
  for (size_t i = 0; i < insts_.size(); ++i) {
    const Instruction& inst = insts_[i];
    std::vector<std::string> inputs;
    for (const Input& in : inst.inputs) {
      if (std::holds_alternative<std::monostate>(in))
        inputs.push_back("None");
      else if (const auto* v = std::get_if<int64_t>(&in))
        inputs.push_back(std::to_string(*v));
      else
        inputs.push_back(namer.name(std::get<RV>(in)));
    }
    std::string lhs;
    for (size_t k = 0; k < inst.outputs.size(); ++k)
      lhs += (k ? ", " : "") + namer.define(inst.outputs[k]);
    if (inst.kind->returns_list && inst.outputs.size() == 1) lhs = "(" + lhs + ",)";
    std::string call = inst.kind->as_python(inputs, inst.attrs, decision_of(i));
    out += lhs.empty() ? call : lhs + " = " + call;
    out += "\n";
  }
  return out;
}

json Trace::to_json() const {
  RVNamer namer;
  json insts = json::array();
  for (const Instruction& inst : insts_) {
    json inputs = json::array();
    for (const Input& in : inst.inputs) {
      if (std::holds_alternative<std::monostate>(in))
        inputs.push_back(nullptr);
      else if (const auto* v = std::get_if<int64_t>(&in))
        inputs.push_back(*v);
      else
        inputs.push_back(namer.name(std::get<RV>(in)));
    }
    json attrs = json::array();
    for (const Attr& a : inst.attrs) attrs.push_back(attr_to_json(a));
    json outputs = json::array();
    for (const RV& rv : inst.outputs) outputs.push_back(namer.define(rv));
    insts.push_back(
        {{"kind", inst.kind->name}, {"inputs", inputs}, {"attrs", attrs}, {"outputs", outputs}});
  }
  json decisions = json::array();
  for (const auto& [index, d] : decisions_) decisions.push_back({index, decision_to_json(d)});
  return {{"version", 1}, {"instructions", insts}, {"decisions", decisions}};
}

Trace Trace::from_json(const json& j) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("bad trace JSON: " + what);
  };
  if (!j.is_object() || !j.contains("instructions") || !j["instructions"].is_array())
    fail("expected an object with an \"instructions\" list");
  if (j.value("version", 0) != 1) fail("unsupported version " + j.value("version", json()).dump());
  Trace t;
  std::unordered_map<std::string, RV> rvs;
  int next_id = 0;
  for (const json& ji : j["instructions"]) {
    const std::string where = "instruction " + std::to_string(t.insts_.size());
    if (!ji.is_object() || !ji.contains("kind") || !ji["kind"].is_string())
      fail(where + " has no kind");
    const InstructionKind* kind = find_instruction_kind(ji["kind"].get<std::string>());
    if (!kind) fail(where + ": unknown instruction \"" + ji["kind"].get<std::string>() + "\"");
    Instruction inst{kind, {}, {}, {}};
    for (const json& in : ji.value("inputs", json::array())) {
      if (in.is_null())
        inst.inputs.emplace_back(std::monostate());
      else if (in.is_number_integer())
        inst.inputs.emplace_back(in.get<int64_t>());
      else if (in.is_string() && rvs.count(in.get<std::string>()))
        inst.inputs.emplace_back(rvs[in.get<std::string>()]);
      else
        fail(where + " (" + kind->name + "): input " + in.dump() + " is not a defined handle");
    }
    for (const json& a : ji.value("attrs", json::array())) inst.attrs.push_back(attr_from_json(a));
    for (const json& out : ji.value("outputs", json::array())) {
      if (!out.is_string() || out.get<std::string>().empty())
        fail(where + ": output names must be strings");
      const std::string name = out.get<std::string>();
      RV::Kind k = name[0] == 'b'   ? RV::Kind::kBlock
                   : name[0] == 'l' ? RV::Kind::kLoop
                                    : RV::Kind::kExpr;
      RV rv{k, next_id++};
      rvs[name] = rv;
      inst.outputs.push_back(rv);
    }
    t.insts_.push_back(std::move(inst));
  }
  for (const json& jd : j.value("decisions", json::array())) {
    if (!jd.is_array() || jd.size() != 2 || !jd[0].is_number_unsigned())
      fail("decisions are [index, value] pairs");
    size_t index = jd[0].get<size_t>();
    if (index >= t.insts_.size() || !t.insts_[index].kind->is_sampling)
      fail("decision for instruction " + std::to_string(index) +
           ", which is not a sampling instruction");
    t.decisions_[index] = decision_from_json(jd[1]);
  }
  return t;
}

void Trace::apply_to(Schedule& sch) const {
  std::unordered_map<int64_t, RV> map;  // recorded handle -> handle in `sch`
  for (size_t i = 0; i < insts_.size(); ++i) {
    const Instruction& inst = insts_[i];
    std::vector<Input> inputs;
    inputs.reserve(inst.inputs.size());
    for (const Input& in : inst.inputs) {
      if (const RV* rv = std::get_if<RV>(&in)) {
        auto it = map.find(rv_key(*rv));
        if (it == map.end()) throw std::invalid_argument("trace uses a handle before defining it");
        inputs.emplace_back(it->second);
      } else {
        inputs.push_back(in);
      }
    }
    std::vector<RV> outs = inst.kind->apply(sch, inputs, inst.attrs, decision_of(i));
    if (outs.size() != inst.outputs.size())
      throw std::invalid_argument(
          "replaying " + inst.kind->name + " gave " + std::to_string(outs.size()) +
          " outputs where the trace recorded " + std::to_string(inst.outputs.size()));
    for (size_t k = 0; k < outs.size(); ++k) map[rv_key(inst.outputs[k])] = outs[k];
  }
}

}  // namespace kiln::sched
