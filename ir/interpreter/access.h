// Element offsets of a buffer access, bounds-checked, for the scalar and the
// vector (one index tuple per lane) cases. Shared by loads and stores.
#pragma once

#include <vector>

#include "ir/interpreter/compiler.h"

namespace kiln::ir::interp {

struct ScalarAccess {
  ScalarAccess(BufferInfoPtr info, std::vector<IndexFn> indices, SitePtr site, const char* verb)
      : info(std::move(info)),
        indices(std::move(indices)),
        site(std::move(site)),
        verb(verb),
        // Copied out of `info` so that the hot path reads them directly.
        shape(this->info->shape),
        strides(this->info->strides),
        slot(this->info->slot),
        bytes(format_bytes(this->info->format)) {}

  BufferInfoPtr info;
  std::vector<IndexFn> indices;
  SitePtr site;
  const char* verb;  // "load from", "store to"
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  int slot;
  int bytes;

  // In elements; fails when an index is outside the shape.
  int64_t offset(Frame& f) const {
    int64_t off = 0;
    const size_t ndim = indices.size();
    for (size_t d = 0; d < ndim; ++d) {
      const int64_t v = indices[d](f);
      if (static_cast<uint64_t>(v) >= static_cast<uint64_t>(shape[d])) fail(f);
      off += v * strides[d];
    }
    return off;
  }
  char* address(Frame& f) const { return f.buffers[slot] + offset(f) * bytes; }
  [[noreturn]] void fail(Frame& f) const;
};

struct VectorAccess {
  BufferInfoPtr info;
  std::vector<VectorFn> indices;  // each gives `lanes` values
  int lanes;
  SitePtr site;
  const char* verb;
  mutable std::vector<Scalar> scratch;  // indices.size() * lanes

  // Writes one element offset per lane.
  void offsets(Frame& f, int64_t* out) const;
};

// The out-of-bounds message: names the buffer, its shape, the index tuple and
// the faulting dimension; `lane` is -1 for a scalar access.
[[noreturn]] void fail_out_of_bounds(const Site& site, const BufferInfo& info, const char* verb,
                                     const std::vector<int64_t>& index, int lane);

}  // namespace kiln::ir::interp
