#include "runtime/byte_sections.h"

#include <cstdint>
#include <stdexcept>

namespace kiln::runtime {

void append_section(std::string& out, std::string_view bytes) {
  const uint64_t n = bytes.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(bytes);
}

std::string_view take_section(std::string_view& in, const char* what) {
  if (in.size() < 8)
    throw std::invalid_argument(std::string("the ") + what + " section is cut short");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(8);
  if (n > in.size())
    throw std::invalid_argument(std::string("the ") + what + " section claims " +
                                std::to_string(n) + " bytes, " + std::to_string(in.size()) +
                                " are left");
  std::string_view section = in.substr(0, n);
  in.remove_prefix(n);
  return section;
}

}  // namespace kiln::runtime
