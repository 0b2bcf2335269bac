#include "search/postproc/postproc.h"

namespace kiln::search {

Postprocs default_postprocs(const Target& target) {
  Postprocs out;
  if (target.is_gpu()) {
    out.push_back(rewrite_cooperative_fetch());
    out.push_back(rewrite_reduction_block());
    out.push_back(verify_gpu(target));
    return out;
  }
  out.push_back(rewrite_reduction_block());
  out.push_back(rewrite_parallel_vectorize_unroll());
  return out;
}

bool apply_postprocs(sched::Schedule& sch, const Postprocs& postprocs) {
  for (const auto& p : postprocs)
    if (!p->apply(sch)) return false;
  return true;
}

}  // namespace kiln::search
