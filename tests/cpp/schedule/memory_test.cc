// The memory primitives: cache_read, cache_write, reindex, set_scope,
// storage_align and transform_layout. Golden cases live in
// tests/ir_cases/<primitive>/*.kiln; each has a C++ twin of its schedule here.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/op.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/index_map.h"
#include "schedule/ir_utils.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

ir::PrimFunc workload(const std::string& name, const std::map<std::string, int64_t>& shape = {}) {
  return workloads::get(name, shape).func;
}
ir::PrimFunc matmul(int n) { return workload("matmul", {{"M", n}, {"N", n}, {"K", n}}); }

IndexMap tile_map(int tile) {
  ir::Var i("i"), j("j");
  return {
      {i, j},
      {ir::floordiv(i, tile), ir::floordiv(j, tile), ir::floormod(i, tile), ir::floormod(j, tile)}};
}

void expect_unchanged(const Schedule& before, const Schedule& after) {
  EXPECT_TRUE(ir::structural_equal(before.func(), after.func()));
  EXPECT_EQ(before.trace().size(), after.trace().size());
}

// Trace -> JSON -> replay on the original gives the same function.
void expect_round_trip(const Schedule& sch) {
  Trace again = Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump()));
  Schedule replay(sch.original());
  again.apply_to(replay);
  EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func())) << ir::to_script(replay.func());
  EXPECT_EQ(replay.trace().as_python(), sch.trace().as_python());
}

// ---- golden cases

struct GoldenCase {
  std::string before, schedule, expected;
};

GoldenCase read_case(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::map<std::string, std::string> sections;
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0)
      current = line.substr(3);
    else if (!current.empty())
      sections[current] += line + "\n";
  }
  return {sections["before"], sections["schedule"], sections["expected"]};
}

using Applier = std::function<void(Schedule&)>;

const std::map<std::string, Applier>& golden_cases() {
  static const std::map<std::string, Applier> cases = {
      {"cache_read/matmul_a_shared",
       [](Schedule& s) { s.cache_read(s.get_block("C"), 0, "shared"); }},
      {"cache_read/matmul_after_split",
       [](Schedule& s) {
         BlockRV c = s.get_block("C");
         s.split(s.get_loops(c)[0], {std::monostate(), int64_t{4}});
         s.cache_read(c, 1, "shared");
       }},
      {"cache_read/softmax_intermediate_local",
       [](Schedule& s) { s.cache_read(s.get_block("softmax"), 0, "local"); }},
      {"cache_write/matmul_local",
       [](Schedule& s) { s.cache_write(s.get_block("C"), 0, "local"); }},
      {"cache_write/softmax_exp_shared",
       [](Schedule& s) { s.cache_write(s.get_block("exp"), 0, "shared"); }},
      {"reindex/matmul_read_b", [](Schedule& s) { s.reindex(s.get_block("C"), 1, false); }},
      {"reindex/matmul_write_c", [](Schedule& s) { s.reindex(s.get_block("C"), 0, true); }},
      {"set_scope/softmax_row_max_shared",
       [](Schedule& s) { s.set_scope(s.get_block("row_max"), 0, "shared"); }},
      {"storage_align/matmul_a_shared",
       [](Schedule& s) {
         BlockRV a = s.cache_read(s.get_block("C"), 0, "shared");
         s.storage_align(a, 0, 0, 16, 4);
       }},
      {"transform_layout/softmax_exp_tiled",
       [](Schedule& s) { s.transform_layout(s.get_block("exp"), 0, true, tile_map(4)); }},
      {"transform_layout/matmul_cache_flattened",
       [](Schedule& s) {
         BlockRV a = s.cache_read(s.get_block("C"), 0, "shared");
         ir::Var i("i"), j("j");
         s.transform_layout(a, 0, true, IndexMap{{i, j}, {i * 8 + j}});
       }},
  };
  return cases;
}

TEST(MemoryGolden, CasesMatchTheirFiles) {
  for (const auto& [name, apply] : golden_cases()) {
    SCOPED_TRACE(name);
    GoldenCase c = read_case(std::string(KILN_SOURCE_DIR) + "/tests/ir_cases/" + name + ".kiln");
    Schedule sch(ir::parse_prim_func(c.before));
    apply(sch);
    EXPECT_TRUE(ir::structural_equal(sch.func(), ir::parse_prim_func(c.expected)))
        << "actual:\n"
        << ir::to_script(sch.func());
    EXPECT_EQ(sch.trace().as_python(), c.schedule);
    expect_round_trip(sch);
    EXPECT_EQ(
        testing::max_output_difference(sch.original(), sch.func(), sch.func()->params.size() - 1),
        0.0);
  }
}

// ---- cache_read

TEST(CacheRead, RedirectsOnlyTheGivenConsumer) {
  // exp_1 is read by row_sum and softmax; only softmax reads the cache.
  Schedule sch(workload("softmax"));
  sch.cache_read(sch.get_block("softmax"), 0, "shared");
  std::string text = ir::to_script(sch.func());
  EXPECT_NE(text.find("row_sum[vi] = row_sum[vi] + exp_1[vi, vk]"), std::string::npos) << text;
  EXPECT_NE(text.find("exp_shared[vi, vj] / row_sum[vi]"), std::string::npos) << text;
  EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 1), 0.0);
}

TEST(CacheRead, UniqueNamesWhenCachedTwice) {
  Schedule sch(matmul(8));
  BlockRV a = sch.cache_read(sch.get_block("C"), 0, "shared");
  BlockRV b = sch.cache_read(sch.get_block("C"), 0, "shared");
  EXPECT_EQ(sch.block_name(a), "A_shared");
  EXPECT_EQ(sch.block_name(b), "A_shared_shared");
  BlockRV c = sch.cache_read(sch.get_block("C"), 1, "local");
  BlockRV d = sch.cache_read(sch.get_block("C"), 1, "local");
  EXPECT_EQ(sch.block_name(c), "B_local");
  EXPECT_EQ(sch.block_name(d), "B_local_local");
  EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 2), 0.0);
  expect_round_trip(sch);
}

TEST(CacheRead, Errors) {
  Schedule sch(matmul(8));
  BlockRV c = sch.get_block("C");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.cache_read(c, 2, "shared"), ScheduleError);   // no such read
  EXPECT_THROW(copy.cache_read(c, 0, "texture"), ScheduleError);  // unknown scope
  expect_unchanged(sch, copy);
  try {
    copy.cache_read(c, 5, "shared");
    FAIL();
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find("there is no buffer 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("with block(\"C\")"), std::string::npos)
        << "block not rendered: " << e.what();
  }
}

TEST(CacheRead, TwoProducersAreRefused) {
  ir::PrimFunc f = ir::parse_prim_func(R"(@kiln.prim_func
def two_writers(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(4):
        with block("B0"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
    for i in range(4):
        with block("B1"):
            vi = axis.spatial(8, i + 4)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * 2.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)");
  Schedule sch(f);
  BlockRV c = sch.get_block("C"), b0 = sch.get_block("B0");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.cache_read(c, 0, "shared"), ScheduleError);
  EXPECT_THROW(copy.cache_write(b0, 0, "shared"), ScheduleError);
  expect_unchanged(sch, copy);
}

// ---- cache_write

TEST(CacheWrite, Errors) {
  Schedule sch(matmul(8));
  BlockRV c = sch.get_block("C");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.cache_write(c, 1, "local"), ScheduleError);
  EXPECT_THROW(copy.cache_write(c, 0, "registers"), ScheduleError);
  expect_unchanged(sch, copy);
}

// C[i] += A[i] with no init: C's incoming values matter.
const char* kAccumulate = R"(@kiln.prim_func
def accumulate(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(C[vi], A[vi])
            writes(C[vi])
            C[vi] = C[vi] + A[vi]
)";

TEST(CacheWrite, AccumulationWithoutInitIsRefused) {
  Schedule sch(ir::parse_prim_func(kAccumulate));
  BlockRV c = sch.get_block("C");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.cache_write(c, 0, "local"), ScheduleError);
  EXPECT_THROW(copy.reindex(c, 0, true), ScheduleError);
  // Reading the buffer it writes: that is cache_write's (or reindex's write side's) job.
  EXPECT_THROW(copy.cache_read(c, 0, "local"), ScheduleError);
  EXPECT_THROW(copy.reindex(c, 0, false), ScheduleError);
  expect_unchanged(sch, copy);
}

TEST(CacheWrite, StridedWritesAreRefused) {
  ir::PrimFunc f = ir::parse_prim_func(R"(@kiln.prim_func
def strided(A: Buffer((16,), "float32"), C: Buffer((16,), "float32")):
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(A[vi * 2])
            writes(C[vi * 2])
            C[vi * 2] = A[vi * 2]
)");
  Schedule sch(f);
  BlockRV c = sch.get_block("C");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.cache_write(c, 0, "local"), ScheduleError);
  expect_unchanged(sch, copy);
  // Reading through a cache is fine: the copy covers the whole buffer.
  sch.cache_read(c, 0, "local");
  EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 1), 0.0);
}

TEST(CacheWrite, NonPerfectSplitStillCopiesExactlyTheWrittenBox) {
  Schedule sch(matmul(10));
  BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  sch.split(loops[0], {std::monostate(), int64_t{4}});  // 12 > 10: a predicate
  sch.cache_write(c, 0, "local");
  EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 2), 0.0);
  expect_round_trip(sch);
}

// ---- reindex

TEST(Reindex, Errors) {
  Schedule sch(workload("conv2d_nhwc"));
  BlockRV pad = sch.get_block("pad"), conv = sch.get_block("conv2d");
  Schedule copy = sch.copy();
  // pad reads X[vi, vj - 1, ...] out of bounds at the border (guarded by a select).
  EXPECT_THROW(copy.reindex(pad, 0, false), ScheduleError);
  EXPECT_THROW(copy.reindex(conv, 2, false), ScheduleError);
  expect_unchanged(sch, copy);
}

// ---- set_scope, storage_align

TEST(SetScope, Errors) {
  Schedule sch(workload("softmax"));
  BlockRV out = sch.get_block("softmax"), e = sch.get_block("exp");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.set_scope(out, 0, "shared"), ScheduleError);  // a parameter
  EXPECT_THROW(copy.set_scope(e, 0, "sharde"), ScheduleError);
  EXPECT_THROW(copy.set_scope(e, 1, "shared"), ScheduleError);
  expect_unchanged(sch, copy);
}

TEST(StorageAlign, ReplacesTheRequestForTheSameAxis) {
  Schedule sch(workload("softmax"));
  BlockRV e = sch.get_block("exp");
  sch.storage_align(e, 0, 0, 32, 8);
  sch.storage_align(e, 0, 1, 16, 1);
  sch.storage_align(e, 0, 0, 64, 2);
  EXPECT_NE(ir::to_script(sch.func()).find("\"buffer_dim_align\": [0, 0, 64, 2, 0, 1, 16, 1]"),
            std::string::npos)
      << ir::to_script(sch.func());
  EXPECT_EQ(sch.trace().as_python(),
            "b0 = sch.get_block(\"exp\")\n"
            "sch.storage_align(b0, buffer_index=0, axis=0, factor=32, offset=8)\n"
            "sch.storage_align(b0, buffer_index=0, axis=1, factor=16, offset=1)\n"
            "sch.storage_align(b0, buffer_index=0, axis=0, factor=64, offset=2)\n");
  expect_round_trip(sch);
  // A later transform_layout drops the request: those axes are gone.
  sch.transform_layout(e, 0, true, tile_map(8));
  EXPECT_EQ(ir::to_script(sch.func()).find("buffer_dim_align"), std::string::npos);
}

TEST(StorageAlign, Errors) {
  Schedule sch(workload("softmax"));
  BlockRV e = sch.get_block("exp"), out = sch.get_block("softmax");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.storage_align(e, 0, 2, 16, 0), ScheduleError);    // axis out of range
  EXPECT_THROW(copy.storage_align(e, 0, 0, 0, 0), ScheduleError);     // factor
  EXPECT_THROW(copy.storage_align(e, 0, 0, 16, 16), ScheduleError);   // offset
  EXPECT_THROW(copy.storage_align(out, 0, 0, 16, 0), ScheduleError);  // parameter
  expect_unchanged(sch, copy);
}

// ---- transform_layout

TEST(IndexMapText, RoundTripsExactly) {
  for (const char* text :
       {"lambda i, j: (i // 16, j // 16, i % 16, j % 16)", "lambda i, j: (i * 64 + j,)",
        "lambda n, h, w, c: (n, c // 4, h, w, c % 4)", "lambda: ()"}) {
    EXPECT_EQ(IndexMap::parse(text).to_string(), text);
  }
  EXPECT_EQ(IndexMap::parse("lambda i: i + 1").to_string(), "lambda i: (i + 1,)");
  EXPECT_EQ(IndexMap::parse("lambda i: (i)").outputs.size(), 1u);
  for (const char* bad : {"i, j: (i, j)", "lambda i j: (i)", "lambda i, i: (i,)", "lambda i: (k,)",
                          "lambda i: (i +,)"})
    EXPECT_THROW(IndexMap::parse(bad), std::invalid_argument) << bad;
}

TEST(TransformLayout, Errors) {
  Schedule sch(workload("softmax"));
  BlockRV e = sch.get_block("exp");
  ir::Var i("i"), j("j"), k("k");
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.transform_layout(e, 0, true, IndexMap{{i}, {i}}), ScheduleError);  // arity
  EXPECT_THROW(copy.transform_layout(e, 0, true, IndexMap{{i, j}, {i + j}}),
               ScheduleError);  // not one-to-one
  EXPECT_THROW(copy.transform_layout(e, 0, true, IndexMap{{i, j}, {i, j * 2}}),
               ScheduleError);  // holes
  EXPECT_THROW(copy.transform_layout(e, 0, true, IndexMap{{i, j}, {i, k}}),
               ScheduleError);                                                   // free var
  EXPECT_THROW(copy.transform_layout(e, 0, false, tile_map(4)), ScheduleError);  // A is a parameter
  expect_unchanged(sch, copy);
}

TEST(TransformLayout, ReadSideAndTransposeKeepResults) {
  Schedule sch(workload("softmax"));
  ir::Var i("i"), j("j");
  sch.transform_layout(sch.get_block("softmax"), 0, false, IndexMap{{i, j}, {j, i}});
  sch.transform_layout(sch.get_block("row_sum"), 0, true,
                       IndexMap{{i}, {ir::floordiv(i, 8), ir::floormod(i, 8)}});
  EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 1), 0.0);
  expect_round_trip(sch);
}

// ---- differential: staged schedules on the standard workloads

struct Workload {
  std::string name;
  size_t num_inputs;
};

TEST(MemoryDifferential, EveryBufferOfEveryBlockStagedEveryWay) {
  for (const Workload& w : {Workload{"matmul", 2}, Workload{"batch_matmul", 2},
                            Workload{"conv2d_nhwc", 2}, Workload{"softmax", 1}}) {
    ir::PrimFunc func = workload(w.name);
    int applied = 0;
    for (const ir::Stmt& block : all_blocks(func)) {
      const std::string& name = block.as<ir::BlockRealizeNode>()->block->name;
      for (int index = 0; index < 3; ++index) {
        for (int kind = 0; kind < 5; ++kind) {
          for (bool split : {false, true}) {
            Schedule sch(func);
            BlockRV b = sch.get_block(name);
            // Staging must also meet split loops and the predicate of a
            // split that does not divide.
            if (split) sch.split(sch.get_loops(b)[0], {std::monostate(), int64_t{3}});
            try {
              switch (kind) {
                case 0: sch.cache_read(b, index, "shared"); break;
                case 1: sch.cache_write(b, index, "local"); break;
                case 2: sch.reindex(b, index, false); break;
                case 3: sch.reindex(b, index, true); break;
                case 4: sch.set_scope(b, index, "shared"); break;
              }
            } catch (const ScheduleError&) {
              continue;
            }
            ++applied;
            SCOPED_TRACE(w.name + " " + name + " " + std::to_string(index) + " " +
                         std::to_string(kind));
            EXPECT_LE(testing::max_output_difference(sch.original(), sch.func(), w.num_inputs),
                      1e-5);
            expect_round_trip(sch);
          }
        }
      }
    }
    EXPECT_GT(applied, 4) << w.name;
  }
}

// Staging as the GPU sketches do it: tile, cache the inputs next to the
// reduction loop, cache the output next to the spatial tile.
TEST(MemoryStaging, CacheReadAndWriteMovedIntoTiles) {
  for (bool write_first : {false, true}) {
    Schedule sch(matmul(16));
    BlockRV c = sch.get_block("C");
    BlockRV local = write_first ? sch.cache_write(c, 0, "local") : BlockRV{};
    auto loops = sch.get_loops(c);
    auto i = sch.split(loops[0], {std::monostate(), int64_t{4}});
    auto j = sch.split(loops[1], {std::monostate(), int64_t{4}});
    auto k = sch.split(loops[2], {std::monostate(), int64_t{8}});
    sch.reorder({i[0], j[0], k[0], i[1], j[1], k[1]});
    BlockRV a = sch.cache_read(c, 0, "shared");
    BlockRV b = sch.cache_read(c, 1, "shared");
    sch.compute_at(a, k[0]);
    sch.compute_at(b, k[0]);
    if (!write_first) local = sch.cache_write(c, 0, "local");
    sch.reverse_compute_at(local, j[0]);
    SCOPED_TRACE(ir::to_script(sch.func()));
    EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 2), 0.0);
    expect_round_trip(sch);
  }
}

// Inside a blockized tile the scope is the outer block, whose iter vars the
// inner bindings use: every primitive either stages soundly or refuses.
TEST(MemoryStaging, InsideABlockizedTile) {
  for (int kind = 0; kind < 4; ++kind) {
    for (int index = 0; index < 2; ++index) {
      Schedule sch(matmul(8));
      BlockRV c = sch.get_block("C");
      auto loops = sch.get_loops(c);
      auto i = sch.split(loops[0], {std::monostate(), int64_t{4}});
      sch.blockize(i[1]);
      try {
        switch (kind) {
          case 0: sch.cache_read(c, index, "local"); break;
          case 1: sch.cache_write(c, 0, "local"); break;
          case 2: sch.reindex(c, index, false); break;
          case 3: sch.reindex(c, 0, true); break;
        }
      } catch (const ScheduleError&) {
        continue;
      }
      SCOPED_TRACE(ir::to_script(sch.func()));
      EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 2), 0.0);
      expect_round_trip(sch);
    }
  }
}

}  // namespace
}  // namespace kiln::sched
