// Length-prefixed byte sections: how kiln puts several strings (a JSON
// header, an object file, arrays) into one, for files and for messages
// between processes. Each section is its size as 8 little-endian bytes,
// then its bytes.
#pragma once

#include <string>
#include <string_view>

namespace kiln::runtime {

void append_section(std::string& out, std::string_view bytes);

// Removes the next section from the front of `in` and returns it; throws
// std::invalid_argument naming `what` when `in` is cut short.
std::string_view take_section(std::string_view& in, const char* what);

}  // namespace kiln::runtime
