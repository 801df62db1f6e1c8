#pragma once

// Bookkeeping of the sales import across ReportSales streams: which records have a result and
// where the next stream starts.
//
// The partner service returns one result per record, in the order of the records, and a stopping
// service ends the stream after the results of its batch in hand. So the records with a result
// are always a prefix of the plan, and a new stream resends from the first record without one.
// Each record is therefore counted once, by the first result the importer receives for it,
// because a record with a result is never sent again. A record that was stored before a cut but
// whose result never arrived counts by the DUPLICATE that its resend returns.
//
// The importer calls it from its writer and reader threads under its own mutex; the class itself
// is not thread-safe.

#include <cstddef>

namespace consort::consortctl {

class SaleResultLedger {
 public:
  explicit SaleResultLedger(size_t records) : records_(records) {}

  // Starts a stream and returns the index of the first record it sends: the first record
  // without a result, or size() when every record has one.
  size_t StartStream() {
    stream_start_ = answered_;
    return stream_start_;
  }

  // Index of the record that the current stream's next result belongs to. It is size() when
  // every record has a result, and then a further result is a protocol error.
  size_t NextResultIndex() const { return answered_; }

  // Counts the current stream's next result, for the record at NextResultIndex().
  void TakeResult() {
    if (answered_ < records_) ++answered_;
  }

  // Results the current stream brought.
  size_t stream_results() const { return answered_ - stream_start_; }
  // Records the current stream has sent that have no result yet, when it has sent `sent`.
  size_t in_flight(size_t sent) const { return stream_start_ + sent - answered_; }
  // Records with a result.
  size_t answered() const { return answered_; }
  size_t size() const { return records_; }
  bool complete() const { return answered_ == records_; }

 private:
  const size_t records_;
  size_t answered_ = 0;
  size_t stream_start_ = 0;
};

}  // namespace consort::consortctl
