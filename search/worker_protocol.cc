#include "search/worker_protocol.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "runtime/byte_sections.h"

namespace kiln::search {

namespace {

std::string encode(const Message& m) {
  nlohmann::json header = m.header;
  header["payloads"] = m.payloads.size();
  std::string body;
  runtime::append_section(body, header.dump());
  for (const std::string& p : m.payloads) runtime::append_section(body, p);
  std::string framed;
  runtime::append_section(framed, body);
  return framed;
}

Message decode(std::string_view body) {
  Message m;
  try {
    m.header = nlohmann::json::parse(runtime::take_section(body, "message header"));
    const size_t n = m.header.at("payloads").get<size_t>();
    for (size_t i = 0; i < n; ++i) m.payloads.emplace_back(runtime::take_section(body, "payload"));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("worker message: ") + e.what());
  }
  return m;
}

// Waits until `fd` is readable or the deadline passes (infinite: no deadline).
bool wait_readable(int fd, double deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (std::isfinite(deadline)) {
      const double left = deadline - seconds_now();
      if (left <= 0) return false;
      timeout_ms = static_cast<int>(std::ceil(left * 1e3));
    }
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  }
}

// Reads exactly n bytes: kMessage when done, kClosed when the stream ends
// first (a message cut short means the peer died).
ReadOutcome read_exact(int fd, char* out, size_t n, double deadline) {
  size_t done = 0;
  while (done < n) {
    if (!wait_readable(fd, deadline)) return ReadOutcome::kTimedOut;
    const ssize_t r = ::recv(fd, out + done, n - done, 0);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r < 0 && errno != ECONNRESET) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    if (r <= 0) return ReadOutcome::kClosed;
    done += static_cast<size_t>(r);
  }
  return ReadOutcome::kMessage;
}

}  // namespace

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void write_message(int fd, const Message& message) {
  const std::string bytes = encode(message);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("send to worker: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

ReadOutcome read_message_until(int fd, double deadline, Message* message) {
  char length[8];
  ReadOutcome r = read_exact(fd, length, 8, deadline);
  if (r != ReadOutcome::kMessage) return r;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(length[i])) << (8 * i);
  if (n > (uint64_t{1} << 36)) throw std::runtime_error("worker message claims " + std::to_string(n) + " bytes");
  std::string body(n, '\0');
  r = read_exact(fd, body.data(), n, deadline);
  if (r != ReadOutcome::kMessage) return r;
  *message = decode(body);
  return ReadOutcome::kMessage;
}

std::optional<Message> read_message(int fd) {
  Message m;
  if (read_message_until(fd, INFINITY, &m) != ReadOutcome::kMessage) return std::nullopt;
  return m;
}

}  // namespace kiln::search
