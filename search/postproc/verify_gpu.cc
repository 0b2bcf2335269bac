// verify_gpu: a GPU program the target cannot run (more threads or shared
// memory than a block may have, a loop left unbound, a shuffle where part of
// a warp does not run) is rejected before it costs a trial: lowered, and
// put through the checks compile_gpu makes (codegen/gpu/build_gpu.h).
#include "codegen/build.h"
#include "codegen/gpu/build_gpu.h"
#include "codegen/passes/pipeline.h"
#include "search/postproc/postproc.h"

namespace kiln::search {

namespace {

class VerifyGpu final : public Postproc {
 public:
  explicit VerifyGpu(Target target) : target_(std::move(target)) {}
  std::string name() const override { return "verify_gpu"; }
  bool apply(sched::Schedule& sch) const override {
    try {
      codegen::check_gpu_program(codegen::lower(sch.func(), target_), target_);
      return true;
    } catch (const BuildError&) {
      return false;
    } catch (const std::logic_error&) {
      return false;
    }
  }

 private:
  Target target_;
};

}  // namespace

std::unique_ptr<Postproc> verify_gpu(const Target& target) { return std::make_unique<VerifyGpu>(target); }

}  // namespace kiln::search
