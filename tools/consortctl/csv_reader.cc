#include "consortctl/csv_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace consort::consortctl {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// libcsv trims spaces and tabs around unquoted fields unless its space function matches nothing.
int NoSpaces(unsigned char) { return 0; }

}  // namespace

CsvParser::CsvParser(CsvRecordCallback on_record) : on_record_(std::move(on_record)) {
  csv_init(&parser_, 0);
  csv_set_space_func(&parser_, NoSpaces);
}

CsvParser::~CsvParser() { csv_free(&parser_); }

void CsvParser::OnField(void* data, size_t length, void* self) {
  auto* parser = static_cast<CsvParser*>(self);
  parser->fields_.emplace_back(static_cast<const char*>(data), length);
}

void CsvParser::OnRecordEnd(int /*terminator*/, void* self) {
  static_cast<CsvParser*>(self)->EmitRecord("");
}

void CsvParser::EmitRecord(std::string error) {
  CsvRecord record;
  record.number = ++record_number_;
  record.fields = std::move(fields_);
  record.error = std::move(error);
  fields_.clear();
  on_record_(record);
}

absl::Status CsvParser::ParseBytes(std::string_view bytes) {
  size_t parsed = csv_parse(&parser_, bytes.data(), bytes.size(), &CsvParser::OnField,
                            &CsvParser::OnRecordEnd, this);
  if (parsed != bytes.size()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("CSV parser failed: ", csv_strerror(csv_error(&parser_))));
  }
  return absl::OkStatus();
}

absl::Status CsvParser::Feed(std::string_view chunk) {
  if (prefix_done_) return ParseBytes(chunk);

  // The byte order mark may be split across chunks, so hold the first bytes until three have
  // arrived or the input ends.
  prefix_.append(chunk.data(), chunk.size());
  if (prefix_.size() < kByteOrderMark.size() &&
      std::string_view(kByteOrderMark).substr(0, prefix_.size()) == prefix_) {
    return absl::OkStatus();
  }
  prefix_done_ = true;
  std::string_view rest = prefix_;
  if (rest.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    rest.remove_prefix(kByteOrderMark.size());
  }
  absl::Status status = ParseBytes(rest);
  prefix_.clear();
  return status;
}

absl::Status CsvParser::Finish() {
  if (finished_) return absl::OkStatus();
  finished_ = true;
  if (!prefix_done_) {
    prefix_done_ = true;
    // A short input that is a prefix of the byte order mark is not text at all.
    bool is_mark_prefix = std::string_view(kByteOrderMark).substr(0, prefix_.size()) == prefix_;
    if (!is_mark_prefix) {
      absl::Status status = ParseBytes(prefix_);
      if (!status.ok()) return status;
    }
    prefix_.clear();
  }

  // libcsv 3.0.3 reports an open quoted field from csv_fini only in strict mode, which would
  // also stop the parse at the first stray quote inside a row. So the open field is detected from
  // the parser's state instead: FIELD_BEGUN (2) inside quotes.
  constexpr int kFieldBegun = 2;
  if (parser_.pstate == kFieldBegun && parser_.quoted) {
    fields_.emplace_back(reinterpret_cast<const char*>(parser_.entry_buf), parser_.entry_pos);
    EmitRecord("quoted field not closed before the end of the file");
    return absl::OkStatus();
  }
  csv_fini(&parser_, &CsvParser::OnField, &CsvParser::OnRecordEnd, this);
  return absl::OkStatus();
}

absl::Status ReadCsvFile(const std::string& path, const CsvRecordCallback& on_record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }

  CsvParser parser(on_record);
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize count = in.gcount();
    if (count <= 0) break;
    absl::Status status = parser.Feed(std::string_view(buffer.data(), count));
    if (!status.ok()) return status;
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("failed to read ", path));
  return parser.Finish();
}

absl::StatusOr<std::vector<CsvRecord>> ParseCsvText(std::string_view text) {
  std::vector<CsvRecord> records;
  CsvParser parser([&records](CsvRecord& record) { records.push_back(std::move(record)); });
  absl::Status status = parser.Feed(text);
  if (status.ok()) status = parser.Finish();
  if (!status.ok()) return status;
  return records;
}

absl::StatusOr<CsvTable> CsvTable::FromHeader(const std::string& file, const CsvRecord& header,
                                              const std::vector<std::string>& required) {
  if (!header.error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": the header row is malformed: ", header.error));
  }
  CsvTable table;
  table.width_ = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name(absl::StripAsciiWhitespace(header.fields[i]));
    table.names_.push_back(name);
    if (!table.positions_.emplace(name, static_cast<int>(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": column \"", name, "\" appears twice in the header"));
    }
  }
  for (const std::string& column : required) {
    if (table.Find(column) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": the header has no column \"", column,
                                                     "\"; check that this is the right file"));
    }
  }
  return table;
}

int CsvTable::Find(const std::string& column) const {
  auto it = positions_.find(column);
  return it == positions_.end() ? -1 : it->second;
}

const std::string& CsvTable::Get(const CsvRecord& record, const std::string& column) const {
  return record.fields[positions_.at(column)];
}

std::string CsvField(std::string_view value) {
  bool needs_quotes = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                      (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!needs_quotes) return std::string(value);

  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  return line;
}

}  // namespace consort::consortctl
