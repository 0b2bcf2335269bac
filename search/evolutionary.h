// EvolutionarySearch: proposes the programs of a task to measure next, as
// MetaSchedule and Ansor do.
//
//   sketches      = the space rules applied to the task's function
//   population    = the best measured programs of the task (from the
//                   database) + programs drawn from the sketches at random
//   for each generation:
//     score the population with the cost model
//     each child: a parent drawn by score, one mutator (by probability)
//                 changes one of its decisions, or a crossover with a
//                 second parent mixes theirs; replayed and postprocessed
//   propose the best-scored programs never measured, and a share epsilon
//   drawn at random from the population (exploration)
//
// A program (structural hash after postprocessing) the database holds for
// the task, or that was proposed before, is never proposed again. With a
// fixed seed and the same measurements, the proposals are the same.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cost_model/cost_model.h"
#include "schedule/random.h"
#include "search/database.h"
#include "search/mutator/mutator.h"
#include "search/postproc/postproc.h"
#include "search/space/space_rule.h"
#include "search/task.h"

namespace kiln::search {

struct SearchOptions {
  int threads = 0;  // realizing candidates in parallel; 0: one per hardware thread
  int population = 512;
  int generations = 4;
  double epsilon = 0.05;          // share of each batch drawn at random
  double from_database = 0.2;     // share of the first population from measured records
  double mutation_probability = 0.85;  // else a child is its parent unchanged
  // Of the children that change, the share made by crossing the parent with
  // a second one (of the same sketch, also drawn by score) instead of by
  // one mutation.
  double crossover_probability = 0.0;
};

// A program the search proposes.
struct Candidate {
  sched::Trace search_trace;  // what mutators change: sketch + decisions
  sched::Trace trace;         // search_trace + the postprocessors' instructions
  ir::PrimFunc func;          // the scheduled function
  ir::PrimFunc lowered;       // func lowered as far as the cost model reads it
  std::string hash;           // hex structural hash of func
};

class EvolutionarySearch {
 public:
  EvolutionarySearch(const Task& task, SearchOptions options, uint64_t seed);
  EvolutionarySearch(const Task& task, SearchOptions options, uint64_t seed, SpaceRules rules,
                     Postprocs postprocs, std::vector<WeightedMutator> mutators);

  const std::vector<sched::Trace>& sketches() const { return sketches_; }

  // Up to `n` programs to measure next (fewer when the space runs dry).
  std::vector<Candidate> propose(size_t n, cost_model::CostModel& model,
                                 const Database* database);

  // The program `search_trace` makes: replayed (its missing decisions drawn
  // from `rng`), postprocessed and lowered for the target; nullopt when any
  // step refuses it.
  std::optional<Candidate> realize(const sched::Trace& search_trace,
                                   sched::RandomEngine rng) const;

 private:
  // One realization to make: a trace and the stream its missing decisions
  // come from.
  struct Job {
    sched::Trace trace;
    sched::RandomEngine rng;
  };
  // realize() of every job, on the search's threads, in job order. A trace
  // whose every sampling instruction has a decision is realized once per
  // search (remembered: mutations often come back to a program).
  std::vector<std::optional<Candidate>> realize_all(const std::vector<Job>& jobs);
  std::vector<Candidate> initial_population(const Database* database);
  std::vector<double> scores(const std::vector<Candidate>& population,
                             cost_model::CostModel& model) const;
  bool is_new(const Candidate& c, const Database* database) const;

  const Task& task_;
  SearchOptions options_;
  sched::RandomEngine rng_;
  Postprocs postprocs_;
  std::vector<WeightedMutator> mutators_;
  std::vector<sched::Trace> sketches_;
  std::set<std::string> proposed_;  // hashes proposed so far
  std::map<std::string, std::optional<Candidate>> realized_;  // by trace JSON
};

}  // namespace kiln::search
