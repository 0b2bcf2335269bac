// The expert CPU matmul schedule (bench/schedules/matmul_cpu.h): it computes
// the matmul at sizes its tiles do not divide, for AVX2 and AVX-512 vector
// widths, in the interpreter and compiled; it replays from its trace; it
// refuses what it cannot schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "bench/schedules/matmul_cpu.h"
#include "codegen/build.h"
#include "ir/interpreter.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

struct Sizes {
  int64_t M, N, K;
};

// Odd sizes leave partial tiles everywhere; 64x48x40 divides the columns
// but not the 6-row register tile; 1x1x1 is all padding.
const Sizes kSizes[] = {{37, 29, 23}, {64, 48, 40}, {12, 32, 5}, {1, 1, 1}};

ir::PrimFunc matmul(const Sizes& s) {
  return workloads::get("matmul", {{"M", s.M}, {"N", s.N}, {"K", s.K}}).func;
}

struct Problem {
  std::vector<float> a, b, c;
  std::vector<double> expected;
};

Problem random_problem(const Sizes& s, unsigned seed) {
  Problem p;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  p.a.resize(s.M * s.K);
  p.b.resize(s.K * s.N);
  for (float& x : p.a) x = dist(rng);
  for (float& x : p.b) x = dist(rng);
  p.c.assign(s.M * s.N, NAN);  // an element nobody writes stays NaN
  p.expected.assign(s.M * s.N, 0.0);
  for (int64_t i = 0; i < s.M; ++i)
    for (int64_t k = 0; k < s.K; ++k)
      for (int64_t j = 0; j < s.N; ++j)
        p.expected[i * s.N + j] += static_cast<double>(p.a[i * s.K + k]) * p.b[k * s.N + j];
  return p;
}

double max_abs_error(const std::vector<float>& got, const std::vector<double>& expected) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i])) return INFINITY;
    worst = std::max(worst, std::fabs(got[i] - expected[i]));
  }
  return worst;
}

void interpret(const ir::PrimFunc& func, const Sizes& s, Problem& p) {
  const ir::DataType f32 = ir::DataType::Float(32);
  ir::interpret(func, {{p.a.data(), f32, {s.M, s.K}},
                       {p.b.data(), f32, {s.K, s.N}},
                       {p.c.data(), f32, {s.M, s.N}}});
}

TEST(ExpertMatmulCpu, InterpreterMatchesReferenceAtOddSizes) {
  for (const Sizes& s : kSizes)
    for (int lanes : {8, 16})
      for (int threads : {1, 2}) {
        Schedule sch = expert_matmul_cpu(matmul(s), lanes, threads);
        Problem p = random_problem(s, 1);
        interpret(sch.func(), s, p);
        EXPECT_LE(max_abs_error(p.c, p.expected), 1e-4)
            << s.M << "x" << s.N << "x" << s.K << ", " << lanes << " lanes\n"
            << ir::to_script(sch.func());
      }
}

// The compiled kernel on the host, at its vector width, against the
// reference and the interpreter running the same scheduled function; with
// the default tiles and with tiles that pad the rows, the columns or both.
TEST(ExpertMatmulCpu, CompiledKernelMatchesInterpreterAtOddSizes) {
  const Target target("llvm");
  const int lanes = target.vector_bytes / 4;
  const DLDataType f32 = runtime::parse_dtype("float32");
  for (MatmulCpuTiles tiles :
       {MatmulCpuTiles{}, MatmulCpuTiles{6, 2 * lanes, 12}, MatmulCpuTiles{4, 3 * lanes, 8}})
    for (const Sizes& s : kSizes) {
      Schedule sch = expert_matmul_cpu(matmul(s), lanes, 2, tiles);
      Problem interpreted = random_problem(s, 3);
      interpret(sch.func(), s, interpreted);
      Module kernel = build(sch.func(), target);
      NDArray a = NDArray::empty({s.M, s.K}, f32), b = NDArray::empty({s.K, s.N}, f32),
              c = NDArray::empty({s.M, s.N}, f32);
      Problem p = random_problem(s, 3);
      std::copy(p.a.begin(), p.a.end(), static_cast<float*>(a.data()));
      std::copy(p.b.begin(), p.b.end(), static_cast<float*>(b.data()));
      std::copy(p.c.begin(), p.c.end(), static_cast<float*>(c.data()));
      kernel(a, b, c);
      std::copy_n(static_cast<const float*>(c.data()), p.c.size(), p.c.begin());
      const std::string where =
          std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K) + ", tile " +
          std::to_string(tiles.register_rows) + "x" + std::to_string(tiles.register_cols);
      EXPECT_LE(max_abs_error(p.c, p.expected), 1e-4) << where;
      std::vector<double> by_interpreter(interpreted.c.begin(), interpreted.c.end());
      EXPECT_LE(max_abs_error(p.c, by_interpreter), 1e-5) << where;
    }
}

TEST(ExpertMatmulCpu, GivenTilesMatchReference) {
  const Sizes s{29, 40, 17};
  for (MatmulCpuTiles tiles :
       {MatmulCpuTiles{4, 8, 8}, MatmulCpuTiles{5, 24, 100}, MatmulCpuTiles{1, 8, 1}}) {
    Schedule sch = expert_matmul_cpu(matmul(s), 8, 2, tiles);
    Problem p = random_problem(s, 2);
    interpret(sch.func(), s, p);
    EXPECT_LE(max_abs_error(p.c, p.expected), 1e-4) << ir::to_script(sch.func());
  }
}

TEST(ExpertMatmulCpu, ReplaysFromItsTrace) {
  Schedule sch = expert_matmul_cpu(matmul({37, 29, 23}), 8, 2);
  Trace again = Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump()));
  Schedule replay(sch.original());
  again.apply_to(replay);
  EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func()));
  EXPECT_EQ(replay.trace().as_python(), sch.trace().as_python());
}

TEST(ExpertMatmulCpu, RefusesOtherWorkloadsAndBadArguments) {
  ir::PrimFunc conv = workloads::get("conv2d_nhwc").func;
  EXPECT_THROW(expert_matmul_cpu(conv, 8, 2), std::invalid_argument);
  ir::PrimFunc mm = matmul({16, 16, 16});
  EXPECT_THROW(expert_matmul_cpu(mm, 0, 2), std::invalid_argument);
  EXPECT_THROW(expert_matmul_cpu(mm, 8, 0), std::invalid_argument);
  // Register columns must be whole vectors.
  EXPECT_THROW(expert_matmul_cpu(mm, 8, 2, {6, 12, 48}), std::invalid_argument);
}

}  // namespace
}  // namespace kiln::sched
