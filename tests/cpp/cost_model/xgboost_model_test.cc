// The XGBoost model on programs whose speed is known by construction: a
// copy loop vectorized by v and unrolled by u, whose "latency" falls with
// v and u. The model must learn to rank programs it never saw, the same way
// for the same seed, the same after save and load, and go on learning from
// a loaded model.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "cost_model/evaluation.h"
#include "cost_model/features/features.h"
#include "cost_model/xgboost_model.h"
#include "ir/parser.h"

namespace kiln::cost_model {
namespace {

struct Synthetic {
  Target target{"llvm -mcpu=x86-64-v3"};
  std::vector<Program> programs;
  std::vector<double> latencies;
};

// Programs of two tasks (lengths 4096 and 8192): i outer, u unrolled,
// v vectorized; latency n / (v * sqrt(u)).
Synthetic synthetic() {
  Synthetic s;
  for (int n : {4096, 8192})
    for (int v : {1, 2, 4, 8, 16})
      for (int u : {1, 2, 4, 8}) {
        char text[1024];
        std::snprintf(text, sizeof text, R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((%d,), "float32"), B: Buffer((%d,), "float32")):
    for i in range(%d):
        for u in unroll(%d):
            for v in vectorized(%d):
                B[i * %d + u * %d + v] = A[i * %d + u * %d + v] * float32(2.0)
)",
                      n, n, n / (u * v), u, v, u * v, v, u * v, v);
        const ir::PrimFunc f = ir::parse_prim_func(text);
        s.programs.push_back({"task" + std::to_string(n), f, &s.target, f});
        s.latencies.push_back(n / (v * std::sqrt(static_cast<double>(u))) * 1e-9);
      }
  return s;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "kiln_model_" + name + "_" + std::to_string(::getpid()) + ".json";
}

// Every other program trains, the rest are judged.
void split(const Synthetic& s, Synthetic* train, Synthetic* test) {
  for (size_t i = 0; i < s.programs.size(); ++i) {
    Synthetic& to = i % 2 ? *test : *train;
    Program p = s.programs[i];
    p.target = &to.target;
    to.programs.push_back(p);
    to.latencies.push_back(s.latencies[i]);
  }
}

std::vector<size_t> tasks_of(const std::vector<Program>& programs) {
  std::vector<size_t> out;
  for (const Program& p : programs) out.push_back(p.task_key == "task4096" ? 0 : 1);
  return out;
}

TEST(XGBoostModel, RanksProgramsItNeverSaw) {
  if (!have_xgboost()) GTEST_SKIP() << "built without XGBoost";
  Synthetic train, test;
  split(synthetic(), &train, &test);
  auto model = make_xgboost_model({.seed = 3});
  model->update(train.programs, train.latencies);
  const RankingMetrics m =
      ranking_metrics(tasks_of(test.programs), model->predict(test.programs), test.latencies);
  EXPECT_GT(m.pairwise_accuracy, 0.9);
  EXPECT_GT(m.spearman, 0.9);
  EXPECT_GE(m.top5, 0.99);
}

TEST(XGBoostModel, SameSeedSameScoresAndSaveLoadKeepsThem) {
  if (!have_xgboost()) GTEST_SKIP() << "built without XGBoost";
  const Synthetic s = synthetic();
  auto a = make_xgboost_model({.seed = 5});
  auto b = make_xgboost_model({.seed = 5});
  // Untrained: seeded random scores, the same for the same seed.
  EXPECT_EQ(a->predict(s.programs), b->predict(s.programs));
  a->update(s.programs, s.latencies);
  b->update(s.programs, s.latencies);
  const std::vector<double> scores = a->predict(s.programs);
  EXPECT_EQ(scores, b->predict(s.programs));
  const std::string path = temp_path("roundtrip");
  a->save(path);
  auto loaded = load_cost_model(path);
  EXPECT_EQ(loaded->kind(), "xgboost");
  const std::vector<double> again = loaded->predict(s.programs);
  ASSERT_EQ(again.size(), scores.size());
  for (size_t i = 0; i < scores.size(); ++i) EXPECT_NEAR(again[i], scores[i], 1e-5);
  std::remove(path.c_str());
}

TEST(XGBoostModel, ALoadedModelKeepsLearning) {
  if (!have_xgboost()) GTEST_SKIP() << "built without XGBoost";
  // Trained on the first task only, then told about the second: it ranks
  // the second as well as a model that saw both.
  Synthetic s = synthetic(), first, second;
  for (size_t i = 0; i < s.programs.size(); ++i) {
    Synthetic& to = s.programs[i].task_key == "task4096" ? first : second;
    Program p = s.programs[i];
    p.target = &to.target;
    to.programs.push_back(p);
    to.latencies.push_back(s.latencies[i]);
  }
  auto base = make_xgboost_model({.seed = 1});
  base->update(first.programs, first.latencies);
  const std::string path = temp_path("base");
  base->save(path);
  auto model = make_xgboost_model({.seed = 1});
  model->load(path);
  model->update(second.programs, second.latencies);
  const std::vector<size_t> one_task(second.programs.size(), 0);
  EXPECT_GT(ranking_metrics(one_task, model->predict(second.programs), second.latencies).spearman, 0.9);
  std::remove(path.c_str());
}

TEST(XGBoostModel, RefusesWhatIsNotItsModel) {
  if (!have_xgboost()) GTEST_SKIP() << "built without XGBoost";
  auto model = make_xgboost_model();
  EXPECT_THROW(model->save(temp_path("untrained")), std::runtime_error);  // nothing to save
  const std::string random_path = temp_path("random");
  make_random_model(1)->save(random_path);
  try {
    model->load(random_path);
    FAIL() << "loaded a random model as an XGBoost one";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is a `random` model"), std::string::npos) << e.what();
  }
  // A model of other features (an older kiln): refused, saying what to do.
  const std::string old_path = temp_path("old");
  std::ofstream(old_path) << R"({"kind": "xgboost", "version": 1, "feature_names": ["a"], "booster": {}})";
  try {
    model->load(old_path);
    FAIL() << "loaded a model of other features";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cost-model train"), std::string::npos) << e.what();
  }
  const std::string broken = temp_path("broken");
  std::ofstream(broken) << "{\"kind\": \"xgb";
  EXPECT_THROW(load_cost_model(broken), std::runtime_error);
  EXPECT_THROW(load_cost_model(temp_path("missing")), std::runtime_error);
  for (const std::string& p : {random_path, old_path, broken}) std::remove(p.c_str());
}

TEST(RankingMetrics, PerfectReversedAndTied) {
  const std::vector<size_t> task = {0, 0, 0, 0, 1, 1};
  const std::vector<double> latency = {1, 2, 3, 4, 5, 10};
  const RankingMetrics right = ranking_metrics(task, {4, 3, 2, 1, 9, 1}, latency);
  EXPECT_DOUBLE_EQ(right.pairwise_accuracy, 1);
  EXPECT_DOUBLE_EQ(right.top1, 1);
  EXPECT_DOUBLE_EQ(right.spearman, 1);
  EXPECT_EQ(right.tasks, 2u);
  const RankingMetrics wrong = ranking_metrics(task, {1, 2, 3, 4, 1, 9}, latency);
  EXPECT_DOUBLE_EQ(wrong.pairwise_accuracy, 0);
  EXPECT_DOUBLE_EQ(wrong.spearman, -1);
  // Task 0 picks latency 4 (top-1 1/4), task 1 picks 10 (5/10).
  EXPECT_DOUBLE_EQ(wrong.top1, (0.25 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(wrong.top5, 1);  // both tasks have at most 5 programs
  const RankingMetrics tied = ranking_metrics(task, {0, 0, 0, 0, 0, 0}, latency);
  EXPECT_DOUBLE_EQ(tied.pairwise_accuracy, 0.5);
}

TEST(Evaluate, SplitsSeenAndHeldOutTasks) {
  if (!have_xgboost()) GTEST_SKIP() << "built without XGBoost";
  Synthetic s = synthetic();
  TrainingSet data;
  data.tasks = {{"task4096", "copy 4096"}, {"task8192", "copy 8192"}};
  data.targets.push_back(std::make_shared<const Target>(s.target));
  for (size_t i = 0; i < s.programs.size(); ++i) {
    Program p = s.programs[i];
    p.target = data.targets.back().get();
    data.programs.push_back(p);
    data.latencies_s.push_back(s.latencies[i]);
    data.task_of.push_back(p.task_key == "task4096" ? 0 : 1);
  }
  const EvaluationReport r = evaluate(data, [] { return make_xgboost_model({.seed = 2}); }, 0.25, 7);
  EXPECT_EQ(r.train_programs + r.test_programs, data.programs.size());
  EXPECT_EQ(r.test_programs, 10u);  // a quarter of each task's 20
  EXPECT_EQ(r.seen_tasks.tasks, 2u);
  EXPECT_GT(r.seen_tasks.pairwise_accuracy, 0.8);
  ASSERT_EQ(r.held_out.size(), 2u);
  EXPECT_EQ(r.held_out[0].name, "copy 4096");
  // Programs of one length rank the same way as the other's.
  EXPECT_GT(r.held_out_tasks.spearman, 0.8);
  TrainingSet one = data.subset({0, 1, 2});
  one.tasks.resize(1);
  EXPECT_THROW(evaluate(one, [] { return make_random_model(0); }), std::invalid_argument);
}

}  // namespace
}  // namespace kiln::cost_model
