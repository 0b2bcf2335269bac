#include "schedule/instruction.h"

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "schedule/primitives/all.h"

namespace kiln::sched {

namespace {

using Registry = std::map<std::string, std::unique_ptr<InstructionKind>>;

Registry& raw_registry() {
  static Registry kinds;
  return kinds;
}

// The registry, filled on first use.
const Registry& registry() {
  static std::once_flag once;
  std::call_once(once, register_all_instruction_kinds);
  return raw_registry();
}

template <typename T>
std::string list_to_python(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += attr_to_python(Attr(v[i]));
  }
  return s + "]";
}

std::string default_python(const InstructionKind& kind, const std::vector<std::string>& inputs,
                           const std::vector<Attr>& attrs,
                           const std::optional<Decision>& decision) {
  std::string s = "sch." + kind.name + "(";
  bool first = true;
  auto arg = [&](const std::string& a) {
    if (!first) s += ", ";
    s += a;
    first = false;
  };
  for (const std::string& in : inputs) arg(in);
  for (size_t i = 0; i < attrs.size(); ++i) {
    const std::string& name =
        i < kind.attr_names.size() ? kind.attr_names[i] : "attr" + std::to_string(i);
    arg(name + "=" + attr_to_python(attrs[i]));
  }
  if (decision) arg("decision=" + decision_to_python(*decision));
  return s + ")";
}

}  // namespace

void register_instruction_kind(InstructionKind kind) {
  if (!kind.apply) throw std::logic_error("instruction kind " + kind.name + " has no apply");
  auto owned = std::make_unique<InstructionKind>(std::move(kind));
  if (!owned->as_python) {
    const InstructionKind* self = owned.get();
    owned->as_python = [self](const std::vector<std::string>& in, const std::vector<Attr>& at,
                              const std::optional<Decision>& d) {
      return default_python(*self, in, at, d);
    };
  }
  auto [it, inserted] = raw_registry().emplace(owned->name, std::move(owned));
  if (!inserted) throw std::logic_error("instruction kind " + it->first + " registered twice");
}

const InstructionKind* find_instruction_kind(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

const InstructionKind& instruction_kind(const std::string& name) {
  const InstructionKind* kind = find_instruction_kind(name);
  if (!kind) throw std::invalid_argument("unknown schedule instruction \"" + name + "\"");
  return *kind;
}

std::vector<std::string> instruction_kind_names() {
  std::vector<std::string> names;
  for (const auto& [name, kind] : registry()) names.push_back(name);
  return names;
}

std::string attr_to_python(const Attr& attr) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "%.17g", v);
          return buf;
        } else if constexpr (std::is_same_v<T, std::string>) {
          std::string s = "\"";
          for (char c : v) {
            if (c == '"' || c == '\\') s += '\\';
            s += c;
          }
          return s + "\"";
        } else {
          return list_to_python(v);
        }
      },
      attr);
}

std::string decision_to_python(const Decision& d) {
  if (const auto* i = std::get_if<int64_t>(&d)) return std::to_string(*i);
  return list_to_python(std::get<std::vector<int64_t>>(d));
}

}  // namespace kiln::sched
