#include "ir/interpreter/access.h"

#include <string>

namespace kiln::ir::interp {

namespace {

std::string tuple_text(const std::vector<int64_t>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + (values.size() == 1 ? ",)" : ")");
}

}  // namespace

void fail_out_of_bounds(const Site& site, const BufferInfo& info, const char* verb,
                        const std::vector<int64_t>& index, int lane) {
  std::string what = std::string("out-of-bounds ") + verb + " buffer `" + info.buffer->name +
                     "` at index " + tuple_text(index);
  if (lane >= 0) what += " (lane " + std::to_string(lane) + ")";
  what += ": the buffer's shape is " + tuple_text(info.shape);
  for (size_t d = 0; d < index.size(); ++d) {
    if (index[d] < 0 || index[d] >= info.shape[d]) {
      what += ", and index " + std::to_string(index[d]) + " of dimension " + std::to_string(d) +
              " is outside [0, " + std::to_string(info.shape[d]) + ")";
      break;
    }
  }
  site.fail(what);
}

void ScalarAccess::fail(Frame& f) const {
  // Indices are pure, so evaluating them again gives the faulting tuple.
  std::vector<int64_t> index;
  for (const IndexFn& i : indices) index.push_back(i(f));
  fail_out_of_bounds(*site, *info, verb, index, -1);
}

void VectorAccess::offsets(Frame& f, int64_t* out) const {
  const size_t ndim = indices.size();
  for (size_t d = 0; d < ndim; ++d) indices[d](f, scratch.data() + d * lanes);
  for (int l = 0; l < lanes; ++l) {
    int64_t off = 0;
    for (size_t d = 0; d < ndim; ++d) {
      const int64_t v = scratch[d * lanes + l].i;
      if (static_cast<uint64_t>(v) >= static_cast<uint64_t>(info->shape[d])) {
        std::vector<int64_t> index;
        for (size_t e = 0; e < ndim; ++e) index.push_back(scratch[e * lanes + l].i);
        fail_out_of_bounds(*site, *info, verb, index, l);
      }
      off += v * info->strides[d];
    }
    out[l] = off;
  }
}

}  // namespace kiln::ir::interp
