#pragma once

// Counts of an import run: records read per file, and per kind of record sent (partner, sale,
// refund, feedback) how many were accepted, duplicate or rejected, with rejections grouped by
// reason. Rejections found while reading the files (a malformed row, a review whose order has no
// items) are counted under the kind of record the row would have become.
//
// The importer updates one tally from several threads; every method is thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace consort::consortctl {

enum class Outcome { kAccepted, kDuplicate, kRejected };

// Kinds of record, in the order the summary lists them.
inline constexpr const char* kKindPartner = "partner";
inline constexpr const char* kKindSale = "sale";
inline constexpr const char* kKindRefund = "refund";
inline constexpr const char* kKindFeedback = "feedback";
inline constexpr const char* kKindProduct = "product";
inline constexpr const char* kKindCategory = "category";
inline constexpr const char* kKindOrder = "order";

// Reason given to a review whose order has no items, so that no seller can be credited.
inline constexpr const char* kReasonOrderNotFound = "order not found";

class ImportTally {
 public:
  void AddRead(const std::string& file, int64_t records);
  // Counts one record. For a rejection, `reason` groups it and `example` (the file, row and value,
  // say) is kept for the first rejection of each kind and reason, so that the summary can show
  // one case to look at.
  void Add(const std::string& kind, Outcome outcome, const std::string& reason = "",
           const std::string& example = "");

  int64_t read(const std::string& file) const;
  int64_t count(const std::string& kind, Outcome outcome) const;
  int64_t rejected(const std::string& kind, const std::string& reason) const;

  // Human-readable summary: records read per file, outcomes per kind, rejections by reason.
  std::string FormatTable() const;

  // Machine-readable summary with the header `section,name,outcome,reason,count`: one row
  // `read,<file>,,,<n>` per file and one row `result,<kind>,<outcome>,<reason>,<n>` per outcome
  // and reason (reason empty for accepted and duplicate).
  std::string FormatCsv() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::pair<std::string, int64_t>> read_ ABSL_GUARDED_BY(mu_);
  struct Entry {
    int64_t count = 0;
    std::string example;
  };
  std::map<std::tuple<std::string, Outcome, std::string>, Entry> results_ ABSL_GUARDED_BY(mu_);
};

std::string OutcomeName(Outcome outcome);

}  // namespace consort::consortctl
