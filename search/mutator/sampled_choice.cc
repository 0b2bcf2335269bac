// Another value for a sampled choice: what mutate_unroll, mutate_parallel
// and mutate_thread_binding share; they differ only in which instruction
// takes the sample.
#include <variant>

#include "search/mutator/mutator.h"

namespace kiln::search {

std::optional<sched::Trace> mutate_sampled_choice(const sched::Trace& trace,
                                                  const ChoiceUse& takes,
                                                  sched::RandomEngine& rng) {
  // The sampling instructions whose output a later instruction takes as `takes` says.
  const auto& insts = trace.instructions();
  std::vector<size_t> choices;
  for (size_t i = 0; i < insts.size(); ++i) {
    if (insts[i].kind->name != "sample_categorical" || insts[i].outputs.empty()) continue;
    for (size_t j = i + 1; j < insts.size(); ++j) {
      if (takes(insts[j], insts[i].outputs[0])) {
        choices.push_back(i);
        break;
      }
    }
  }
  if (choices.empty()) return std::nullopt;
  const size_t at = choices[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(choices.size())))];
  std::vector<double> others = std::get<std::vector<double>>(insts[at].attrs.at(1));
  if (const std::optional<sched::Decision> d = trace.decision_of(at))
    others[static_cast<size_t>(std::get<int64_t>(*d))] = 0;
  bool any = false;
  for (double p : others) any |= p > 0;
  if (!any) return std::nullopt;
  return trace.with_decision(at, rng.categorical(others));
}

std::optional<sched::Trace> mutate_annotated_choice(const sched::Trace& trace,
                                                    const std::string& key,
                                                    sched::RandomEngine& rng) {
  return mutate_sampled_choice(
      trace,
      [&key](const sched::Instruction& a, const sched::RV& sample) {
        if (a.kind->name != "annotate" || a.inputs.size() != 2 || a.attrs.empty()) return false;
        const auto* value = std::get_if<sched::RV>(&a.inputs[1]);
        const auto* k = std::get_if<std::string>(&a.attrs[0]);
        return value && *value == sample && k && *k == key;
      },
      rng);
}

}  // namespace kiln::search
