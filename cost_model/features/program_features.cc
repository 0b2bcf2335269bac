// program_features: features of a batch of programs, lowered where the
// caller did not, on every core.
#include <stdexcept>

#include "codegen/passes/pipeline.h"
#include "cost_model/features/features.h"
#include "runtime/for_each_index.h"

namespace kiln::cost_model {

FeatureBatch program_features(const std::vector<Program>& programs, int threads) {
  std::vector<FeatureMatrix> out(programs.size());
  for_each_index(programs.size(), threads, [&](size_t i) {
    const Program& p = programs[i];
    try {
      const ir::PrimFunc lowered =
          p.lowered ? p.lowered : codegen::lower_until(p.scheduled, *p.target, kFeatureStage);
      out[i] = store_features(lowered, FeatureHardware::of(*p.target));
    } catch (const std::exception&) {
      out[i].resize(0, feature_count());  // the lowering refuses it: nothing to read
    }
  });
  FeatureBatch batch;
  batch.offsets.push_back(0);
  for (const FeatureMatrix& m : out) batch.offsets.push_back(batch.offsets.back() + m.rows());
  batch.rows.resize(batch.offsets.back(), feature_count());
  for (size_t i = 0; i < out.size(); ++i)
    batch.rows.middleRows(batch.offsets[i], out[i].rows()) = out[i];
  return batch;
}

}  // namespace kiln::cost_model
