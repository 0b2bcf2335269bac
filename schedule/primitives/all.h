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

}  // namespace kiln::sched
