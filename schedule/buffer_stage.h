// Helpers of the memory primitives (cache_read, cache_write, reindex,
// set_scope, storage_align, transform_layout): rewriting every access to one
// buffer, building copy stages, and placing them in a block's scope.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/arith/simplify.h"
#include "ir/function.h"

namespace kiln::sched {

// How the accesses to `from` change: every load, store, block region and
// allocation of `from` is rewritten to `to`. `indices` maps the indices of a
// load or store, `region` the region of a block read or write (both keep them
// when unset); they see an Analyzer that knows the loop and block iter var
// ranges around the access.
struct BufferAccessRewrite {
  ir::Buffer from;
  ir::Buffer to;
  std::function<std::vector<ir::Expr>(const std::vector<ir::Expr>&, const ir::arith::Analyzer&)>
      indices;
  std::function<std::vector<ir::Range>(const std::vector<ir::Range>&, const ir::arith::Analyzer&)>
      region;
  // Drop the "buffer_dim_align" entries of `from`: its axes no longer exist.
  bool drop_alignment = false;
};
ir::Stmt rewrite_buffer_access(const ir::Stmt& stmt, const BufferAccessRewrite& rewrite);

// A copy stage: loops ax0.. (ranges `loops`) around a block `name` whose
// spatial iter vars v0.. (domains `domains`) are bound to the loop vars plus
// `offsets`, storing dst[dst_indices(v)] = src[src_indices(v)] with exact
// point regions.
struct CopyStage {
  std::string name;
  std::vector<int64_t> extents;  // of the loops
  std::vector<int64_t> offsets;  // added to the loop vars in the bindings
  std::vector<ir::Range> domains;
  ir::Buffer src, dst;
  std::function<std::vector<ir::Expr>(const std::vector<ir::Var>&)> src_indices, dst_indices;
};
ir::Stmt make_copy_stage(const CopyStage& stage);

// The buffer of the block's writes (or reads) at `index`; throws a
// ScheduleError from `primitive` when there is none.
ir::Buffer access_buffer(const std::string& primitive, const ir::BlockNode& block, int64_t index,
                         bool is_write);

// A block name not yet used in `func`: `base`, else base_1, base_2, ...
std::string unique_block_name(const ir::PrimFunc& func, const std::string& base);
// `buffer`'s name followed by `_suffix`, made an identifier ("shared.dyn" -> "shared_dyn").
std::string derived_buffer_name(const ir::Buffer& buffer, const std::string& suffix);

// Throws a ScheduleError from `primitive` unless `scope` is a storage scope
// kiln lowers (global, shared, shared.dyn, local, warp, wmma.*).
void check_storage_scope(const std::string& primitive, const std::string& scope);

// The variables `e` uses (with repeats).
std::vector<const ir::VarNode*> vars_of(const ir::Expr& e);

bool is_param(const ir::PrimFunc& func, const ir::Buffer& buffer);
bool region_has(const std::vector<ir::BufferRegion>& regions, const ir::Buffer& buffer);

// The BlockRealize whose block allocates `buffer`; undefined for a parameter.
ir::Stmt allocating_block(const ir::PrimFunc& func, const ir::Buffer& buffer);
// `func` with `buffer` appended to the alloc_buffers of the block of `scope`
// (a BlockRealize of `func`).
ir::PrimFunc add_alloc_buffer(const ir::PrimFunc& func, const ir::Stmt& scope,
                              const ir::Buffer& buffer);

// Where a block sits in its scope: the path from the function body to it,
// the index of its scope block (nearest enclosing block) on that path, and
// the statement directly in the scope's body sequence that contains it.
struct BlockPlace {
  std::vector<ir::Stmt> path;
  size_t scope_depth = 0;
  size_t top_depth = 0;
  const ir::Stmt& scope() const { return path[scope_depth]; }
  const ir::Stmt& top() const { return path[top_depth]; }
};
BlockPlace locate_block(const ir::PrimFunc& func, const ir::Stmt& realize);

// Blocks directly in `scope` (a BlockRealize) that write `buffer`.
std::vector<ir::Stmt> writers_in(const ir::Stmt& scope, const ir::Buffer& buffer);

// The points a region of the placed block (in terms of its iter vars, with
// constant extents) covers over all the loops of its top statement, when
// they form a box: per dimension the dense constant range [min, min + extent).
// Otherwise `error` says why (a strided or repeated index, a variable bound
// outside the top statement, a predicate cutting a corner).
struct IndexBox {
  std::vector<int64_t> min, extent;
  std::string error;
};
IndexBox iterated_box(const BlockPlace& place, const std::vector<ir::Range>& region);

// The indices of the loads and stores of `buffer` in the block's own init
// and body (not in blocks nested there).
struct BufferAccesses {
  std::vector<std::vector<ir::Expr>> loads, stores;
};
BufferAccesses own_accesses(const ir::BlockNode& block, const ir::Buffer& buffer);
// Index lists equal term by term (a variable equals only itself).
bool same_indices(const std::vector<ir::Expr>& a, const std::vector<ir::Expr>& b);

// A check shared by cache_write and reindex: a block about to write a
// stand-in for `buffer` may load `buffer` only the way a reduction does (its
// own init writes it first, and it loads where it stores); throws otherwise.
// Loads are found in the bodies, not the read regions, which need not list
// a reduction's accumulator.
void check_reads_own_writes(const std::string& primitive, const ir::Stmt& realize,
                            const ir::Buffer& buffer);

}  // namespace kiln::sched
