#include "common/ids.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

#include "absl/strings/str_format.h"

namespace consort {
namespace {

struct Generator {
  std::mutex mu;
  std::mt19937_64 random{std::random_device{}()};
  uint64_t last_millis = 0;
  // 12-bit counter in the rand_a field that keeps identifiers of one millisecond ordered.
  uint16_t sequence = 0;
};

Generator& TheGenerator() {
  static Generator generator;
  return generator;
}

}  // namespace

std::string NewEventId() {
  Generator& g = TheGenerator();
  uint64_t millis;
  uint16_t sequence;
  uint64_t random_bits;
  {
    std::lock_guard<std::mutex> lock(g.mu);
    millis = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    if (millis <= g.last_millis) {
      millis = g.last_millis;
      if (++g.sequence > 0x0fff) {
        // The counter is exhausted: borrow the next millisecond rather than break the order.
        ++millis;
        g.sequence = 0;
      }
    } else {
      g.sequence = static_cast<uint16_t>(g.random() & 0x01ff);
    }
    g.last_millis = millis;
    sequence = g.sequence;
    random_bits = g.random();
  }

  const uint64_t high = (millis << 16) | 0x7000 | sequence;
  const uint64_t low = (random_bits & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

}  // namespace consort
