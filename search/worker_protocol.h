// Messages between the tuner and its worker processes (search/worker/): a
// JSON header and byte payloads (artifacts, function text), over a Unix
// socket. On the wire a message is its size (8 bytes, little-endian), then
// the header and each payload as byte sections (runtime/byte_sections.h).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kiln::search {

struct Message {
  nlohmann::json header;
  std::vector<std::string> payloads;
};

// Blocking. Throws std::runtime_error when the peer is gone.
void write_message(int fd, const Message& message);
// Blocking; std::nullopt when the peer closed the socket before a message.
// Throws std::runtime_error on a malformed or cut message.
std::optional<Message> read_message(int fd);

// The same, with a deadline (a steady-clock time in seconds, as
// seconds_now() counts): std::nullopt when it passes first.
enum class ReadOutcome { kMessage, kClosed, kTimedOut };
ReadOutcome read_message_until(int fd, double deadline, Message* message);

// Seconds on the steady clock.
double seconds_now();

// The file descriptor a worker talks on (the parent puts its end there).
inline constexpr int kWorkerSocketFd = 3;

}  // namespace kiln::search
