// What the search needs of schedules and traces: sampled values reaching
// annotations, forked random streams, trace prefixes and dead-code removal,
// compute-location candidates, and the block predicates of space rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ir/structural.h"
#include "schedule/block_predicates.h"
#include "schedule/schedule.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

ir::PrimFunc workload(const std::string& name) {
  return workloads::get(name, workloads::default_shape(name)).func;
}

const ir::AnnotationValue* annotation(const Schedule& sch, BlockRV block, const std::string& key) {
  const auto& ann = sch.block_stmt(block).as<ir::BlockRealizeNode>()->block->annotations;
  auto it = ann.find(key);
  return it == ann.end() ? nullptr : &it->second;
}

TEST(SearchSupport, ASampledValueReachesAnAnnotationAndFollowsItsDecision) {
  Schedule sch(workload("matmul"), 3);
  BlockRV c = sch.get_block("C");
  ExprRV unroll = sch.sample_categorical({0, 16, 64, 512}, {0.25, 0.25, 0.25, 0.25}, 2);
  sch.annotate(c, "pragma_auto_unroll_max_step", unroll);
  EXPECT_EQ(std::get<int64_t>(*annotation(sch, c, "pragma_auto_unroll_max_step")), 64);
  EXPECT_NE(sch.trace().as_python().find(
                "sch.annotate(b0, ann_key=\"pragma_auto_unroll_max_step\", ann_val=v1)"),
            std::string::npos)
      << sch.trace().as_python();
  // Mutating the decision changes the annotation, through JSON too.
  const Trace mutated = Trace::from_json(sch.trace().with_decision(1, int64_t{3}).to_json());
  Schedule again(workload("matmul"));
  mutated.apply_to(again);
  EXPECT_EQ(std::get<int64_t>(*annotation(again, again.get_block("C"),
                                          "pragma_auto_unroll_max_step")),
            512);
}

TEST(SearchSupport, CopiesDrawFromForkedStreams) {
  Schedule sch(workload("matmul"), 11);
  const std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  Schedule a = sch.copy();
  Schedule b = sch.copy();
  std::vector<int64_t> ta, tb;
  for (int i = 0; i < 8; ++i) {
    ta.push_back(a.value(a.sample_perfect_tile(loops[0], 3, 64)[0]));
    tb.push_back(b.value(b.sample_perfect_tile(loops[0], 3, 64)[0]));
  }
  EXPECT_NE(ta, tb);
  // A schedule made from a given stream draws what that stream gives.
  RandomEngine rng(99);
  Schedule x(workload("matmul"), rng, ErrorRenderLevel::kFast);
  Schedule y(workload("matmul"), rng, ErrorRenderLevel::kFast);
  const LoopRV lx = x.get_loops(x.get_block("C"))[1], ly = y.get_loops(y.get_block("C"))[1];
  EXPECT_EQ(x.value(x.sample_perfect_tile(lx, 2, 16)[1]),
            y.value(y.sample_perfect_tile(ly, 2, 16)[1]));
}

TEST(SearchSupport, TracePrefixAndDeadCode) {
  Schedule sch(workload("matmul"));
  BlockRV c = sch.get_block("C");
  sch.get_loops(c);  // unused: dead
  std::vector<LoopRV> loops = sch.get_loops(c);
  std::vector<ExprRV> tile = sch.sample_perfect_tile(loops[1], 2, 16);
  sch.split(loops[1], {tile[0], tile[1]});
  sch.get_block("C");  // unused: dead
  const Trace& t = sch.trace();
  ASSERT_EQ(t.size(), 6u);
  const Trace live = t.without_dead_code();
  EXPECT_EQ(live.size(), 4u);
  Schedule replayed(workload("matmul"));
  live.apply_to(replayed);
  EXPECT_TRUE(ir::structural_equal(replayed.func(), sch.func()));
  const Trace head = t.prefix(4);
  EXPECT_EQ(head.size(), 4u);
  EXPECT_TRUE(head.decision_of(3).has_value());
  EXPECT_EQ(t.prefix(100).size(), t.size());
  // Without decisions, a replay draws the tile anew.
  EXPECT_FALSE(t.without_decisions().decision_of(3).has_value());
  EXPECT_EQ(t.without_decisions().size(), t.size());
}

TEST(SearchSupport, ComputeLocationCandidatesAndAGivenDecision) {
  Schedule sch(workload("conv2d_nhwc"));
  BlockRV pad = sch.get_block("pad");
  const std::vector<int64_t> candidates = sch.compute_location_candidates(pad);
  ASSERT_GE(candidates.size(), 3u);
  EXPECT_EQ(candidates[0], -2);  // inlinable
  EXPECT_EQ(candidates[1], -1);
  for (int64_t c : candidates) {
    Schedule s = sch.copy();
    s.sample_compute_location(s.get_block("pad"), c);
    EXPECT_EQ(std::get<int64_t>(*s.trace().decision_of(s.trace().size() - 1)), c);
  }
  // A decision that is no location is replaced by a legal one.
  Schedule s = sch.copy();
  s.sample_compute_location(s.get_block("pad"), 999);
  const int64_t chosen = std::get<int64_t>(*s.trace().decision_of(s.trace().size() - 1));
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), chosen), candidates.end());
}

TEST(SearchSupport, BlockPredicates) {
  Schedule mm(workload("matmul"));
  BlockRV c = mm.get_block("C");
  EXPECT_TRUE(is_reduction(mm, c));
  EXPECT_FALSE(is_spatial(mm, c));
  EXPECT_FALSE(is_injective(mm, c));
  EXPECT_TRUE(is_output(mm, c));
  EXPECT_TRUE(has_data_reuse(mm, c));
  // B[k, j] is streamed along j, the last spatial iter var, on its last
  // axis; A[i, k] is not streamed.
  const std::vector<StreamedRead> streamed = streamed_reused_reads(mm, c);
  ASSERT_EQ(streamed.size(), 1u);
  EXPECT_EQ(
      mm.block_stmt(c).as<ir::BlockRealizeNode>()->block->reads[streamed[0].read].buffer->name,
      "B");
  EXPECT_EQ(streamed[0].axis, 1);
  EXPECT_EQ(iter_kinds(mm, c), (std::vector<ir::IterKind>{ir::IterKind::kSpatial,
                                                          ir::IterKind::kSpatial,
                                                          ir::IterKind::kReduction}));
  EXPECT_EQ(iter_extents(mm, c), (std::vector<int64_t>{64, 64, 64}));

  Schedule dense(workload("dense_bias_relu"));
  for (const char* name : {"bias_add", "relu"}) {
    BlockRV b = dense.get_block(name);
    EXPECT_TRUE(is_spatial(dense, b)) << name;
    EXPECT_TRUE(is_injective(dense, b)) << name;
    EXPECT_TRUE(is_elementwise(dense, b)) << name;
  }
  EXPECT_FALSE(is_output(dense, dense.get_block("bias_add")));
  EXPECT_TRUE(is_output(dense, dense.get_block("relu")));
  // bias_add reads bias[j] for every i: reuse, though no reduction.
  EXPECT_TRUE(has_data_reuse(dense, dense.get_block("bias_add")));
  EXPECT_FALSE(has_data_reuse(dense, dense.get_block("relu")));
  // The dense layer's W[j, k] is streamed along j on its first axis.
  const BlockRV dense_block = dense.get_block("dense");
  const std::vector<StreamedRead> w = streamed_reused_reads(dense, dense_block);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(dense.block_stmt(dense_block).as<ir::BlockRealizeNode>()->block->reads[w[0].read]
                .buffer->name,
            "W");
  EXPECT_EQ(w[0].axis, 0);

  // The padding of a convolution is injective but reads at shifted indices.
  Schedule conv(workload("conv2d_nhwc"));
  BlockRV pad = conv.get_block("pad");
  EXPECT_TRUE(is_injective(conv, pad));
  EXPECT_FALSE(is_elementwise(conv, pad));
  // The convolution streams its weights W[r, s, c, k] along the output channel k.
  const BlockRV conv_block = conv.get_block("conv2d");
  const std::vector<StreamedRead> weights = streamed_reused_reads(conv, conv_block);
  ASSERT_EQ(weights.size(), 1u);
  EXPECT_EQ(conv.block_stmt(conv_block)
                .as<ir::BlockRealizeNode>()
                ->block->reads[weights[0].read]
                .buffer->name,
            "W");
  EXPECT_EQ(weights[0].axis, 3);
}

}  // namespace
}  // namespace kiln::sched
