// The tensor intrinsics kiln ships, registered by registry.cc on first use.
#pragma once

#include <string>

namespace kiln::sched::intrinsics {

// Parses the text forms of a description and an implementation and registers
// them under `name` (a malformed text is a bug in kiln: it throws).
void add_builtin(const std::string& name, const std::string& desc_text,
                 const std::string& impl_text);

// One per file under schedule/intrinsics/.
void register_cpu_intrinsics();
void register_wmma_intrinsics();

}  // namespace kiln::sched::intrinsics
