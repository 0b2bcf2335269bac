#include "schedule/primitives/all.h"

namespace kiln::sched {

void register_all_instruction_kinds() {
  register_query_instructions();
  register_sampling_instructions();
  register_loop_instructions();
  register_for_kind_instructions();
  register_annotate_instructions();
  register_reduction_instructions();
  register_inline_instructions();
  register_cache_read_write_instructions();
  register_layout_instructions();
  register_compute_at_instructions();
  register_blockize_tensorize_instructions();
  register_pad_instructions();
  // (each family adds its line here)
}

}  // namespace kiln::sched
