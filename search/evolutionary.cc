#include "search/evolutionary.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <nlohmann/json.hpp>

#include "codegen/build.h"
#include "codegen/passes/pipeline.h"
#include "cost_model/features/features.h"
#include "ir/structural.h"
#include "runtime/for_each_index.h"
#include "schedule/error.h"
#include "search/space/space_generator.h"

namespace kiln::search {

EvolutionarySearch::EvolutionarySearch(const Task& task, SearchOptions options, uint64_t seed)
    : EvolutionarySearch(task, options, seed, default_space_rules(task.target()),
                         default_postprocs(task.target()), default_mutators(task.target())) {}

EvolutionarySearch::EvolutionarySearch(const Task& task, SearchOptions options, uint64_t seed,
                                       SpaceRules rules, Postprocs postprocs,
                                       std::vector<WeightedMutator> mutators)
    : task_(task),
      options_(options),
      rng_(seed),
      postprocs_(std::move(postprocs)),
      mutators_(std::move(mutators)),
      sketches_(generate_sketches(task.func(), rules)) {}

std::optional<Candidate> EvolutionarySearch::realize(const sched::Trace& search_trace,
                                                     sched::RandomEngine rng) const {
  try {
    sched::Schedule sampled(task_.func(), rng, sched::ErrorRenderLevel::kFast);
    search_trace.apply_to(sampled);
    sched::Schedule done = sampled;
    if (!apply_postprocs(done, postprocs_)) return std::nullopt;
    // What the lowering would refuse, refused here, before it costs a
    // trial (up to the unrolling: past it bodies are copied, and most of the
    // time would go to simplifying the copies).
    ir::PrimFunc for_features;
    codegen::lower_until(done.func(), task_.target(), "unroll_loops",
                         [&](const std::string& pass, const ir::PrimFunc& program) {
                           if (pass == cost_model::kFeatureStage) for_features = program;
                         });
    return Candidate{sampled.trace(), done.trace(), done.func(), std::move(for_features),
                     hex_hash(ir::structural_hash(done.func()))};
  } catch (const sched::ScheduleError&) {
  } catch (const BuildError&) {
  } catch (const std::invalid_argument&) {
  } catch (const std::logic_error&) {
  }
  return std::nullopt;
}

std::vector<std::optional<Candidate>> EvolutionarySearch::realize_all(const std::vector<Job>& jobs) {
  std::vector<std::optional<Candidate>> out(jobs.size());
  // Which jobs are remembered, which to realize (and remember after).
  std::vector<std::string> keys(jobs.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const sched::Trace& t = jobs[i].trace;
    bool complete = true;
    for (size_t k = 0; k < t.size() && complete; ++k)
      complete = !t.instructions()[k].kind->is_sampling || t.decision_of(k).has_value();
    if (complete) {
      keys[i] = t.to_json().dump();
      if (auto it = realized_.find(keys[i]); it != realized_.end()) {
        out[i] = it->second;
        continue;
      }
    }
    todo.push_back(i);
  }
  for_each_index(todo.size(), options_.threads,
                 [&](size_t k) { out[todo[k]] = realize(jobs[todo[k]].trace, jobs[todo[k]].rng); });
  for (size_t i : todo)
    if (!keys[i].empty()) realized_.emplace(keys[i], out[i]);
  return out;
}

bool EvolutionarySearch::is_new(const Candidate& c, const Database* database) const {
  if (proposed_.count(c.hash)) return false;
  return !database || !database->measured(task_.id(), task_.target().str(), c.hash);
}

std::vector<Candidate> EvolutionarySearch::initial_population(const Database* database) {
  std::vector<Candidate> population;
  std::set<std::string> seen;
  auto add = [&](std::optional<Candidate> c) {
    if (c && seen.insert(c->hash).second) population.push_back(std::move(*c));
  };
  // The best measured programs, rebuilt from the part of their trace the
  // search owns.
  if (database) {
    const size_t k = static_cast<size_t>(options_.from_database * options_.population);
    std::vector<Job> jobs;
    for (const TuningRecord& r : database->best(task_.id(), task_.target().str(), k)) {
      const size_t length = r.postproc_start >= 0 ? static_cast<size_t>(r.postproc_start)
                                                  : r.trace.size();
      jobs.push_back({r.trace.prefix(length), rng_.fork()});
    }
    for (std::optional<Candidate>& c : realize_all(jobs)) add(std::move(c));
  }
  // The rest drawn from the sketches, a batch at a time.
  if (sketches_.empty()) return population;
  const size_t wanted = static_cast<size_t>(options_.population);
  for (size_t tries = 0; population.size() < wanted && tries < 4 * wanted;) {
    std::vector<Job> jobs;
    for (size_t k = population.size(); k < wanted; ++k, ++tries) {
      const sched::Trace& sketch =
          sketches_[static_cast<size_t>(rng_.uniform_int(static_cast<int64_t>(sketches_.size())))];
      jobs.push_back({sketch, rng_.fork()});
    }
    for (std::optional<Candidate>& c : realize_all(jobs)) add(std::move(c));
  }
  return population;
}

std::vector<double> EvolutionarySearch::scores(const std::vector<Candidate>& population,
                                               cost_model::CostModel& model) const {
  std::vector<cost_model::Program> programs;
  for (const Candidate& c : population)
    programs.push_back({task_.key(), c.func, &task_.target(), c.lowered});
  return model.predict(programs);
}

std::vector<Candidate> EvolutionarySearch::propose(size_t n, cost_model::CostModel& model,
                                                   const Database* database) {
  std::vector<Candidate> population = initial_population(database);
  if (population.empty()) return {};
  // Every program seen, with its latest score: the pool the batch comes from.
  std::map<std::string, std::pair<Candidate, double>> pool;
  std::vector<double> mutator_weights;
  for (const WeightedMutator& m : mutators_) mutator_weights.push_back(m.probability);

  for (int generation = 0; generation <= options_.generations; ++generation) {
    const std::vector<double> score = scores(population, model);
    for (size_t i = 0; i < population.size(); ++i)
      pool.insert_or_assign(population[i].hash, std::make_pair(population[i], score[i]));
    if (generation == options_.generations || mutators_.empty()) break;
    // Parents by score (every one a chance), children by one mutation.
    std::vector<double> weights;
    for (double s : score) weights.push_back(std::max(s, 0.0) + 1e-6);
    // The mutations are drawn in order, the children realized in parallel.
    std::vector<Candidate> next;
    std::set<std::string> seen;
    const size_t wanted = population.size();
    for (size_t tries = 0; next.size() < wanted && tries < 4 * wanted;) {
      std::vector<Job> jobs;
      std::vector<const Candidate*> unchanged;  // per job: the parent kept as it is, or null
      for (size_t k = next.size(); k < wanted; ++k, ++tries) {
        const Candidate& parent = population[static_cast<size_t>(rng_.categorical(weights))];
        if (rng_.uniform_real() >= options_.mutation_probability) {
          jobs.push_back({sched::Trace(), rng_.fork()});
          unchanged.push_back(&parent);
          continue;
        }
        std::optional<sched::Trace> t;
        if (options_.crossover_probability > 0 &&
            rng_.uniform_real() < options_.crossover_probability) {
          const Candidate& other = population[static_cast<size_t>(rng_.categorical(weights))];
          t = crossover(parent.search_trace, other.search_trace, rng_);
        }
        if (!t) {
          const Mutator& m = *mutators_[static_cast<size_t>(rng_.categorical(mutator_weights))].mutator;
          t = m.apply(parent.search_trace, task_.func(), rng_);
        }
        if (!t) continue;
        jobs.push_back({std::move(*t), rng_.fork()});
        unchanged.push_back(nullptr);
      }
      std::vector<Job> to_realize;
      for (size_t j = 0; j < jobs.size(); ++j)
        if (!unchanged[j]) to_realize.push_back(jobs[j]);
      std::vector<std::optional<Candidate>> made = realize_all(to_realize);
      for (size_t j = 0, r = 0; j < jobs.size(); ++j) {
        std::optional<Candidate> child = unchanged[j] ? std::optional<Candidate>(*unchanged[j])
                                                      : std::move(made[r++]);
        if (child && seen.insert(child->hash).second) next.push_back(std::move(*child));
      }
    }
    if (next.empty()) break;
    population = std::move(next);
  }

  // The batch: the best-scored new programs, and a share picked at random.
  std::vector<std::pair<double, Candidate>> fresh;
  for (auto& [hash, entry] : pool)
    if (is_new(entry.first, database)) fresh.emplace_back(entry.second, entry.first);
  std::stable_sort(fresh.begin(), fresh.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t exploit =
      std::min(fresh.size(), n - static_cast<size_t>(options_.epsilon * static_cast<double>(n)));
  std::vector<Candidate> batch;
  for (size_t i = 0; i < exploit; ++i) batch.push_back(fresh[i].second);
  std::vector<Candidate> rest;
  for (size_t i = exploit; i < fresh.size(); ++i) rest.push_back(fresh[i].second);
  while (batch.size() < n && !rest.empty()) {
    const size_t at = static_cast<size_t>(rng_.uniform_int(static_cast<int64_t>(rest.size())));
    batch.push_back(std::move(rest[at]));
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(at));
  }
  for (const Candidate& c : batch) proposed_.insert(c.hash);
  return batch;
}

}  // namespace kiln::search
