#pragma once

// How long the event consumers (performance, incentive) keep the state that exists only to
// catch a second copy of an event: the applied event ids of the performance service and the
// parked refunds of the incentive service. The stores take it at construction; the clock gives
// the apply and parking times, so that tests can move time. Thread safety: a plain value; the
// clock must be callable from any thread.

#include <functional>

#include "absl/time/time.h"

namespace consort::consumer {

struct RetentionOptions {
  // Counted from the time the consumer applied the event (or parked the refund), not from the
  // event time, because a late event must still be caught after it was applied.
  absl::Duration retention = absl::Hours(24 * 7);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

}  // namespace consort::consumer
