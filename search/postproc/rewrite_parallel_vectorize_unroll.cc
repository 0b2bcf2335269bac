// rewrite_parallel_vectorize_unroll: the annotations of
// space/parallel_vectorize_unroll made real, nest by nest (a top-level loop
// and the blocks under it; the first annotated block speaks for the nest):
//
//  - parallel: the outer loops, as long as they are perfectly nested and no
//    block reduces over them, fused while their product stays within
//    `meta_schedule.parallel` (the first one always), then run on threads;
//  - vectorize: each block's innermost loop, when it is spatial for the
//    block, holds only that block and has at most `meta_schedule.vectorize`
//    iterations;
//  - unroll: every loop whose body runs at most `meta_schedule.unroll_explicit`
//    steps in all (a vectorized loop counts as one step, siblings add up).
//
// A primitive that refuses leaves that loop as it was. The annotations are
// removed: lowering never sees them.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "schedule/block_analysis.h"
#include "schedule/gpu_steps.h"  // fuse_all
#include "schedule/ir_utils.h"
#include "search/postproc/postproc.h"
#include "search/space/block_facts.h"

namespace kiln::search {

namespace {

const char* const kParallel = "meta_schedule.parallel";
const char* const kVectorize = "meta_schedule.vectorize";
const char* const kUnroll = "meta_schedule.unroll_explicit";

struct Limits {
  int64_t parallel = 0, vectorize = 0, unroll = 0;
};

int64_t extent_of(const ir::ForNode* f) {
  const int64_t* e = ir::as_const_int(f->extent);
  return e ? *e : -1;
}

// The steps a statement runs, counting a vectorized loop as one.
int64_t steps(const ir::Stmt& s) {
  if (const auto* f = s.as<ir::ForNode>()) {
    const int64_t inner = steps(f->body);
    const int64_t e = extent_of(f);
    if (e < 0) return INT64_MAX / 4;
    return f->for_kind == ir::ForKind::kVectorized ? inner : std::min(INT64_MAX / 4, e * inner);
  }
  if (const auto* seq = s.as<ir::SeqStmtNode>()) {
    int64_t total = 0;
    for (const ir::Stmt& c : seq->seq) total = std::min(INT64_MAX / 4, total + steps(c));
    return total;
  }
  if (const auto* r = s.as<ir::BlockRealizeNode>()) return steps(r->block->body);
  if (const auto* b = s.as<ir::BlockNode>()) return steps(b->body);
  return 1;
}

// The serial loops of a nest whose whole body runs at most `limit` steps.
void loops_to_unroll(const ir::Stmt& s, int64_t limit, std::vector<ir::Var>* out) {
  if (const auto* f = s.as<ir::ForNode>()) {
    if (f->for_kind == ir::ForKind::kSerial && steps(s) <= limit) out->push_back(f->loop_var);
    loops_to_unroll(f->body, limit, out);
  } else if (const auto* seq = s.as<ir::SeqStmtNode>()) {
    for (const ir::Stmt& c : seq->seq) loops_to_unroll(c, limit, out);
  } else if (const auto* r = s.as<ir::BlockRealizeNode>()) {
    loops_to_unroll(r->block->body, limit, out);
  }
}

class RewriteParallelVectorizeUnroll final : public Postproc {
 public:
  std::string name() const override { return "rewrite_parallel_vectorize_unroll"; }

  bool apply(sched::Schedule& sch) const override {
    // Nests by the name of their first block (the loops change as we go).
    std::vector<std::string> firsts;
    for (const ir::Stmt& top : top_level_loops(sch.func())) {
      const std::vector<ir::Stmt> blocks = sched::child_blocks(top);
      if (!blocks.empty()) firsts.push_back(blocks.front().as<ir::BlockRealizeNode>()->block->name);
    }
    for (const std::string& first : firsts) rewrite_nest(sch, first);
    return true;
  }

 private:
  static std::vector<ir::Stmt> top_level_loops(const ir::PrimFunc& func) {
    const auto* root = func->body.as<ir::BlockRealizeNode>();
    const ir::Stmt body = root ? root->block->body : func->body;
    std::vector<ir::Stmt> out;
    if (const auto* seq = body.as<ir::SeqStmtNode>()) {
      for (const ir::Stmt& s : seq->seq)
        if (s.as<ir::ForNode>()) out.push_back(s);
    } else if (body.as<ir::ForNode>()) {
      out.push_back(body);
    }
    return out;
  }

  // The nest whose outermost loop is above block `first`.
  static ir::Stmt nest_of(const sched::Schedule& sch, const std::string& first) {
    const ir::Stmt realize = sched::find_block(sch.func(), first);
    for (const ir::Stmt& s : sched::path_to(sch.func(), realize.get()))
      if (s.as<ir::ForNode>()) return s;
    return ir::Stmt();
  }

  static void rewrite_nest(sched::Schedule& sch, const std::string& first) {
    // Step 1. Read and remove the annotations.
    std::optional<Limits> limits;
    for (const ir::Stmt& realize : sched::child_blocks(nest_of(sch, first))) {
      const ir::BlockNode& b = *realize.as<ir::BlockRealizeNode>()->block;
      if (!b.annotations.count(kParallel)) continue;
      auto value = [&](const char* key) {
        auto it = b.annotations.find(key);
        const int64_t* v = it == b.annotations.end() ? nullptr : std::get_if<int64_t>(&it->second);
        return v ? *v : 0;
      };
      if (!limits) limits = Limits{value(kParallel), value(kVectorize), value(kUnroll)};
      const sched::BlockRV rv = sch.get_block(b.name);
      for (const char* key : {kParallel, kVectorize, kUnroll})
        if (b.annotations.count(key)) sch.unannotate(rv, key);
    }
    if (!limits) return;

    // Step 2. Parallel: the outer perfectly nested spatial loops, fused.
    const sched::BlockRV first_block = sch.get_block(first);
    const std::vector<sched::LoopRV> first_loops = sch.get_loops(first_block);
    std::vector<sched::LoopRV> chain;
    int64_t product = 1;
    for (size_t i = 0; i < first_loops.size(); ++i) {
      const ir::Stmt loop = sch.loop_stmt(first_loops[i]);
      const auto* f = loop.as<ir::ForNode>();
      const int64_t e = extent_of(f);
      if (f->for_kind != ir::ForKind::kSerial || e < 0 || !sched::reduction_block_using(loop).empty())
        break;
      if (!chain.empty() && product * e > limits->parallel) break;
      chain.push_back(first_loops[i]);
      product *= e;
      if (!f->body.as<ir::ForNode>()) break;  // not perfectly nested below
    }
    if (!chain.empty() && product > 1) {
      // A trial: a fused loop that cannot run in parallel stays unfused.
      sched::Schedule trial = sch;
      try {
        trial.parallel(sched::fuse_all(trial, chain));
        sch = trial;
      } catch (const sched::ScheduleError&) {
        // Left serial.
      }
    }

    // Step 3. Vectorize each block's innermost loop where it may be.
    const ir::Stmt nest = nest_of(sch, first);
    std::vector<std::string> names;
    for (const ir::Stmt& realize : sched::child_blocks(nest))
      names.push_back(realize.as<ir::BlockRealizeNode>()->block->name);
    for (const std::string& name : names) {
      const sched::BlockRV block = sch.get_block(name);
      const std::vector<sched::LoopRV> loops = sch.get_loops(block);
      if (loops.empty()) continue;
      const ir::Stmt inner = sch.loop_stmt(loops.back());
      const auto* f = inner.as<ir::ForNode>();
      const int64_t e = extent_of(f);
      if (f->for_kind != ir::ForKind::kSerial || e < 2 || e > limits->vectorize ||
          sched::child_blocks(inner).size() != 1 ||
          loop_kinds(sch, block, {loops.back()})[0] != LoopKind::kSpatial)
        continue;
      try {  // a refusal leaves the schedule as it was
        sch.vectorize(loops.back());
      } catch (const sched::ScheduleError&) {
        // Left scalar.
      }
    }

    // Step 4. Unroll the loops with few enough steps under them.
    if (limits->unroll <= 0) return;
    std::vector<ir::Var> vars;
    loops_to_unroll(nest_of(sch, first), limits->unroll, &vars);
    std::map<const ir::VarNode*, sched::LoopRV> handles;
    for (const std::string& name : names)
      for (const sched::LoopRV& l : sch.get_loops(sch.get_block(name)))
        handles.emplace(sch.loop_var(l).get(), l);
    for (const ir::Var& v : vars) {
      auto it = handles.find(v.get());
      if (it == handles.end()) continue;
      try {
        sch.unroll(it->second);
      } catch (const sched::ScheduleError&) {
        // Left rolled.
      }
    }
  }
};

}  // namespace

std::unique_ptr<Postproc> rewrite_parallel_vectorize_unroll() {
  return std::make_unique<RewriteParallelVectorizeUnroll>();
}

}  // namespace kiln::search
