// What the search's space rules ask about a block before they schedule it
// (search/space/): its iter kinds and extents, and the classic questions of
// auto-schedulers (spatial or reduction, injective or elementwise, output,
// data reuse). Each reads the block's iter vars and regions, never its body.
#pragma once

#include <cstdint>
#include <vector>

#include "schedule/schedule.h"

namespace kiln::sched {

std::vector<ir::IterKind> iter_kinds(const Schedule& sch, BlockRV block);
// 0 for an iter var whose extent is not a constant.
std::vector<int64_t> iter_extents(const Schedule& sch, BlockRV block);

// Every iter var spatial (no reduction).
bool is_spatial(const Schedule& sch, BlockRV block);
// Some iter var is a reduction.
bool is_reduction(const Schedule& sch, BlockRV block);
// Spatial, and writes one buffer, each element by exactly one instance: its
// one write region is the point of its iter vars, each once.
bool is_injective(const Schedule& sch, BlockRV block);
// Injective, and every read is one point whose indices are iter vars (any
// subset, any order): relu, bias-add, a transpose; what auto-inline inlines.
bool is_elementwise(const Schedule& sch, BlockRV block);
// Writes a parameter of the function.
bool is_output(const Schedule& sch, BlockRV block);
// Some read leaves out a spatial iter var of extent > 1: the same input
// elements serve several output elements (matmul's A across j), which
// tiling turns into cache reuse.
bool has_data_reuse(const Schedule& sch, BlockRV block);
// A read with data reuse that the block's innermost loop streams: one of
// its indices uses the block's last spatial iter var. `axis` is that
// index's position: the last one for matmul's B[k, j] and a convolution's
// weights W[r, s, c, k] (vector loads, row after row at the stride of the
// whole buffer); an earlier one for a dense layer's W[j, k] or a batch
// matmul's B[b, j, k] (elements a whole row apart).
struct StreamedRead {
  int read;  // position in the block's reads
  int axis;
};
std::vector<StreamedRead> streamed_reused_reads(const Schedule& sch, BlockRV block);

}  // namespace kiln::sched
