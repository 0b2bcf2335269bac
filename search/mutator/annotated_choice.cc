#include <variant>

#include "search/mutator/mutator.h"

namespace kiln::search {

std::optional<sched::Trace> mutate_annotated_choice(const sched::Trace& trace,
                                                    const std::string& key,
                                                    sched::RandomEngine& rng) {
  // The sampling instructions whose output an annotate with `key` takes.
  const auto& insts = trace.instructions();
  std::vector<size_t> choices;
  for (size_t i = 0; i < insts.size(); ++i) {
    if (insts[i].kind->name != "sample_categorical" || insts[i].outputs.empty()) continue;
    const sched::RV out = insts[i].outputs[0];
    for (size_t j = i + 1; j < insts.size(); ++j) {
      const sched::Instruction& a = insts[j];
      if (a.kind->name != "annotate" || a.inputs.size() != 2 || a.attrs.empty()) continue;
      const auto* value = std::get_if<sched::RV>(&a.inputs[1]);
      const auto* k = std::get_if<std::string>(&a.attrs[0]);
      if (value && *value == out && k && *k == key) {
        choices.push_back(i);
        break;
      }
    }
  }
  if (choices.empty()) return std::nullopt;
  const size_t at = choices[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(choices.size())))];
  const auto& probs = std::get<std::vector<double>>(insts[at].attrs.at(1));
  const std::optional<sched::Decision> d = trace.decision_of(at);
  const int64_t current = d ? std::get<int64_t>(*d) : -1;
  std::vector<double> others;
  for (size_t c = 0; c < probs.size(); ++c)
    others.push_back(static_cast<int64_t>(c) == current ? 0.0 : probs[c]);
  bool any = false;
  for (double p : others) any |= p > 0;
  if (!any) return std::nullopt;
  return trace.with_decision(at, rng.categorical(others));
}

}  // namespace kiln::search
