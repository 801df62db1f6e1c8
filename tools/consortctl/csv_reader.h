#pragma once

// RFC 4180 CSV reading through libcsv, for the Olist import and the end-to-end tests.
//
// CsvParser takes bytes in chunks of any size and calls back once per record with its fields.
// It strips a UTF-8 byte order mark at the start, accepts LF, CRLF and CR line ends, quoted
// fields with embedded commas, quotes ("") and line breaks, fields quoted and unquoted in the
// same row, and a last record without a line end. Spaces around fields are kept, because RFC 4180
// makes them part of the field. Blank lines are not records and are skipped. A quoted field that
// is still open at the end of the input is reported as a malformed record, never dropped.
//
// CsvTable maps the header row's column names to positions, so that callers read columns by name
// whatever their order.
//
// Not thread-safe; use one parser per thread.

#include <csv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace consort::consortctl {

struct CsvRecord {
  // Position of the record in the input, the header being record 1.
  int64_t number = 0;
  std::vector<std::string> fields;
  // Empty for a well-formed record; otherwise why it is malformed. `fields` then holds what was
  // read of it.
  std::string error;
};

using CsvRecordCallback = std::function<void(CsvRecord& record)>;

class CsvParser {
 public:
  explicit CsvParser(CsvRecordCallback on_record);
  ~CsvParser();

  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;

  // Parses the next chunk of the input. Fails only when libcsv runs out of memory.
  absl::Status Feed(std::string_view chunk);

  // Ends the input and reports the last record if it had no line end.
  absl::Status Finish();

  int64_t records() const { return record_number_; }

 private:
  static void OnField(void* data, size_t length, void* self);
  static void OnRecordEnd(int terminator, void* self);

  absl::Status ParseBytes(std::string_view bytes);
  void EmitRecord(std::string error);

  csv_parser parser_;
  CsvRecordCallback on_record_;
  // Bytes held back at the start of the input until it is clear whether they are a byte order
  // mark.
  std::string prefix_;
  bool prefix_done_ = false;
  bool finished_ = false;
  std::vector<std::string> fields_;
  int64_t record_number_ = 0;
};

// Reads the file at `path` through a CsvParser. Fails with NOT_FOUND or an I/O error naming the
// path when the file cannot be read.
absl::Status ReadCsvFile(const std::string& path, const CsvRecordCallback& on_record);

// Parses `text` as a whole CSV input and returns its records, for tests and small inputs.
absl::StatusOr<std::vector<CsvRecord>> ParseCsvText(std::string_view text);

// Column positions of a CSV file, from its header row.
class CsvTable {
 public:
  // Reads the header. Column names are matched exactly after trimming surrounding spaces. Fails
  // with INVALID_ARGUMENT naming `file` when a name in `required` is missing or a name repeats.
  static absl::StatusOr<CsvTable> FromHeader(const std::string& file, const CsvRecord& header,
                                             const std::vector<std::string>& required);

  // Position of `column`, or -1 when the header does not have it.
  int Find(const std::string& column) const;

  size_t width() const { return width_; }

  // Name of the column at `index`, which must be below width().
  const std::string& column(size_t index) const { return names_[index]; }

  // Returns the field of `column` in `record`; `column` must be one of the required names and
  // the record must have width() fields.
  const std::string& Get(const CsvRecord& record, const std::string& column) const;

 private:
  absl::flat_hash_map<std::string, int> positions_;
  std::vector<std::string> names_;
  size_t width_ = 0;
};

// Formats one field for CSV output: as it is when it holds no comma, quote, CR or LF and does not
// start or end with a space, otherwise in double quotes with inner quotes doubled (RFC 4180).
std::string CsvField(std::string_view value);

// Joins fields with commas, each through CsvField, without a line end.
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace consort::consortctl
