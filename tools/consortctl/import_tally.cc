#include "consortctl/import_tally.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "consortctl/csv_reader.h"

namespace consort::consortctl {
namespace {

// Summary order: the kinds the import sends first, then the tables that only feed them.
int KindRank(const std::string& kind) {
  static const std::vector<std::string> kOrder = {
      kKindPartner, kKindSale, kKindRefund, kKindFeedback, kKindProduct, kKindCategory, kKindOrder};
  auto it = std::find(kOrder.begin(), kOrder.end(), kind);
  return static_cast<int>(it - kOrder.begin());
}

}  // namespace

std::string OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kDuplicate:
      return "duplicate";
    case Outcome::kRejected:
      return "rejected";
  }
  return "unknown";
}

void ImportTally::AddRead(const std::string& file, int64_t records) {
  absl::MutexLock lock(&mu_);
  for (auto& [name, count] : read_) {
    if (name == file) {
      count += records;
      return;
    }
  }
  read_.emplace_back(file, records);
}

void ImportTally::Add(const std::string& kind, Outcome outcome, const std::string& reason,
                      const std::string& example) {
  absl::MutexLock lock(&mu_);
  Entry& entry = results_[{kind, outcome, outcome == Outcome::kRejected ? reason : ""}];
  if (++entry.count == 1 && outcome == Outcome::kRejected) entry.example = example;
}

int64_t ImportTally::read(const std::string& file) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, count] : read_) {
    if (name == file) return count;
  }
  return 0;
}

int64_t ImportTally::count(const std::string& kind, Outcome outcome) const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  for (const auto& [key, entry] : results_) {
    if (std::get<0>(key) == kind && std::get<1>(key) == outcome) total += entry.count;
  }
  return total;
}

int64_t ImportTally::rejected(const std::string& kind, const std::string& reason) const {
  absl::MutexLock lock(&mu_);
  auto it = results_.find({kind, Outcome::kRejected, reason});
  return it == results_.end() ? 0 : it->second.count;
}

std::string ImportTally::FormatTable() const {
  absl::MutexLock lock(&mu_);
  std::string out = "records read\n";
  for (const auto& [file, count] : read_) {
    absl::StrAppendFormat(&out, "  %-42s %10d\n", file, count);
  }

  std::set<std::pair<int, std::string>> kinds;
  for (const auto& [key, entry] : results_)
    kinds.emplace(KindRank(std::get<0>(key)), std::get<0>(key));

  absl::StrAppendFormat(&out, "\nresults\n  %-10s %10s %10s %10s\n", "kind", "accepted",
                        "duplicate", "rejected");
  for (const auto& [rank, kind] : kinds) {
    int64_t counts[3] = {0, 0, 0};
    for (const auto& [key, entry] : results_) {
      if (std::get<0>(key) == kind) counts[static_cast<int>(std::get<1>(key))] += entry.count;
    }
    absl::StrAppendFormat(&out, "  %-10s %10d %10d %10d\n", kind, counts[0], counts[1], counts[2]);
  }

  bool header_written = false;
  for (const auto& [rank, kind] : kinds) {
    for (const auto& [key, entry] : results_) {
      if (std::get<0>(key) != kind || std::get<1>(key) != Outcome::kRejected) continue;
      if (!header_written) {
        absl::StrAppendFormat(&out, "\nrejected by reason\n  %-10s %-44s %10s\n", "kind", "reason",
                              "count");
        header_written = true;
      }
      absl::StrAppendFormat(&out, "  %-10s %-44s %10d\n", kind, std::get<2>(key), entry.count);
      if (!entry.example.empty())
        absl::StrAppend(&out, "             first: ", entry.example, "\n");
    }
  }
  if (!header_written) out += "\nno record was rejected\n";
  return out;
}

std::string ImportTally::FormatCsv() const {
  absl::MutexLock lock(&mu_);
  std::string out = "section,name,outcome,reason,count\n";
  for (const auto& [file, count] : read_) {
    absl::StrAppend(&out, CsvLine({"read", file, "", "", absl::StrCat(count)}), "\n");
  }
  for (const auto& [key, entry] : results_) {
    const auto& [kind, outcome, reason] = key;
    absl::StrAppend(
        &out, CsvLine({"result", kind, OutcomeName(outcome), reason, absl::StrCat(entry.count)}),
        "\n");
  }
  return out;
}

}  // namespace consort::consortctl
