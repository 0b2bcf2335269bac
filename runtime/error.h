// The error the runtime throws: a user mistake (a wrong argument, a missing
// file) or a failure of the device, with what, where and what to do instead.
#pragma once

#include <stdexcept>
#include <string>

namespace kiln::runtime {

class RuntimeError : public std::runtime_error {
 public:
  explicit RuntimeError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace kiln::runtime
