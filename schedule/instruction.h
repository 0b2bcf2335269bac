// Instructions: every primitive and sampling call, as data.
//
// An instruction has a kind (from a registry), inputs (random variables or
// literals), attributes, and outputs (new random variables); a sampling
// instruction also has a decision. Re-applying the instructions of a trace to
// the original function rebuilds the schedule; changing a decision first is
// how the search mutates a program.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiln::sched {

class Schedule;

// A handle to a block, a loop or a sampled integer inside one Schedule.
struct RV {
  enum class Kind : uint8_t { kBlock, kLoop, kExpr };
  Kind kind;
  int id;
  bool operator==(const RV& o) const { return kind == o.kind && id == o.id; }
};
struct BlockRV {
  int id = -1;
  operator RV() const { return {RV::Kind::kBlock, id}; }  // NOLINT
};
struct LoopRV {
  int id = -1;
  operator RV() const { return {RV::Kind::kLoop, id}; }  // NOLINT
};
struct ExprRV {
  int id = -1;
  operator RV() const { return {RV::Kind::kExpr, id}; }  // NOLINT
};

// An input: a random variable, an integer literal, or None.
using Input = std::variant<std::monostate, int64_t, RV>;
// An attribute: what an instruction needs besides its inputs.
using Attr = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;
// The decision of a sampling instruction: an index or a tile.
using Decision = std::variant<int64_t, std::vector<int64_t>>;

struct InstructionKind {
  std::string name;
  bool is_pure = false;      // a query: changes nothing but the handle table
  bool is_sampling = false;  // draws from the random engine; has a decision
  // Names of the attributes, in order, as the Python call spells them.
  std::vector<std::string> attr_names;
  // Re-applies the instruction to `sch`, whose handles `inputs` refer to.
  // Returns the outputs; a sampling kind uses `decision` when given.
  std::function<std::vector<RV>(Schedule& sch, const std::vector<Input>& inputs,
                                const std::vector<Attr>& attrs,
                                const std::optional<Decision>& decision)>
      apply;
  // The Python call, given the printed inputs; by default
  // `name(in0, in1, ..., attr=value, decision=...)`. Kinds whose inputs form
  // a list (split factors, reorder loops) override it.
  std::function<std::string(const std::vector<std::string>& inputs, const std::vector<Attr>& attrs,
                            const std::optional<Decision>& decision)>
      as_python;
  // The Python call returns a list (get_loops, split...): one output then
  // prints as `(l1,) = ...`.
  bool returns_list = false;
};

// The registry of instruction kinds. Each primitive family file has a
// `register_<family>_instructions()`; schedule/primitives/all.cc lists them
// and runs on the first look-up.
const InstructionKind& instruction_kind(const std::string& name);
const InstructionKind* find_instruction_kind(const std::string& name);
std::vector<std::string> instruction_kind_names();
void register_instruction_kind(InstructionKind kind);

struct Instruction {
  const InstructionKind* kind;
  std::vector<Input> inputs;
  std::vector<Attr> attrs;
  std::vector<RV> outputs;
};

// Python text of attribute values ("[16, 8]", "\"shared\"", "0.5").
std::string attr_to_python(const Attr& attr);
std::string decision_to_python(const Decision& d);

}  // namespace kiln::sched
