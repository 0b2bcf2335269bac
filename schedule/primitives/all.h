// Every family of schedule instructions, registered in one place.
#pragma once

namespace kiln::sched {

void register_all_instruction_kinds();

// One per family file under schedule/primitives/.
void register_query_instructions();
void register_sampling_instructions();
void register_loop_instructions();
void register_for_kind_instructions();
void register_annotate_instructions();
void register_reduction_instructions();
void register_inline_instructions();
void register_cache_read_write_instructions();
void register_layout_instructions();
void register_compute_at_instructions();
void register_blockize_tensorize_instructions();
void register_pad_instructions();
// (each family adds its line here)

}  // namespace kiln::sched
