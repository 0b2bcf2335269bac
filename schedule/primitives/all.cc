#include "schedule/primitives/all.h"

namespace kiln::sched {

void register_all_instruction_kinds() {
  register_query_instructions();
  register_sampling_instructions();
  register_loop_instructions();
  register_for_kind_instructions();
  register_annotate_instructions();
}

}  // namespace kiln::sched
