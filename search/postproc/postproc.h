// Postprocessors: what turns a sampled sketch into a program to build. They
// make the search's annotations real (parallel, vectorized and unrolled
// loops), finish reductions, and reject programs the target cannot run.
// They apply schedule primitives, so their work is in the candidate's trace
// (after the instructions the search mutates).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "schedule/schedule.h"

namespace kiln::search {

class Postproc {
 public:
  virtual ~Postproc() = default;
  virtual std::string name() const = 0;
  // Rewrites `sch`; false when the program is to be rejected.
  virtual bool apply(sched::Schedule& sch) const = 0;
};

using Postprocs = std::vector<std::unique_ptr<Postproc>>;

// One per file of search/postproc/.
std::unique_ptr<Postproc> rewrite_reduction_block();
std::unique_ptr<Postproc> rewrite_parallel_vectorize_unroll();
// GPU targets.
std::unique_ptr<Postproc> rewrite_cooperative_fetch();
std::unique_ptr<Postproc> verify_gpu(const Target& target);

// The postprocessors of a target, in order.
Postprocs default_postprocs(const Target& target);

// Runs them in order; false when one rejects the program.
bool apply_postprocs(sched::Schedule& sch, const Postprocs& postprocs);

}  // namespace kiln::search
