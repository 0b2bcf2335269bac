// Small conversions used by the instruction kinds' apply functions.
#pragma once

#include <stdexcept>
#include <vector>

#include "schedule/instruction.h"

namespace kiln::sched {

template <typename T>
std::vector<RV> to_rvs(const std::vector<T>& handles) {
  return std::vector<RV>(handles.begin(), handles.end());
}

inline const RV& input_rv(const std::vector<Input>& in, size_t i, RV::Kind kind) {
  const RV* rv = i < in.size() ? std::get_if<RV>(&in[i]) : nullptr;
  if (!rv || rv->kind != kind)
    throw std::invalid_argument("trace instruction has a wrong input " + std::to_string(i));
  return *rv;
}
inline BlockRV input_block(const std::vector<Input>& in, size_t i) {
  return {input_rv(in, i, RV::Kind::kBlock).id};
}
inline LoopRV input_loop(const std::vector<Input>& in, size_t i) {
  return {input_rv(in, i, RV::Kind::kLoop).id};
}
inline ExprRV input_expr(const std::vector<Input>& in, size_t i) {
  return {input_rv(in, i, RV::Kind::kExpr).id};
}

template <typename T>
const T& attr_as(const std::vector<Attr>& attrs, size_t i) {
  const T* v = i < attrs.size() ? std::get_if<T>(&attrs[i]) : nullptr;
  if (!v)
    throw std::invalid_argument("trace instruction has a wrong attribute " + std::to_string(i));
  return *v;
}

}  // namespace kiln::sched
