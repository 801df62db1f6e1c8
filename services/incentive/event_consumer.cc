#include "incentive/event_consumer.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "consort/events/v1/events.pb.h"
#include "consumer/event_validation.h"
#include "consumer/offset_store.h"
#include "period/period.h"
#include "spdlog/spdlog.h"

namespace consort::incentive {
namespace {

using consort::events::v1::SaleEvent;

// Reasons of consort_events_rejected_total, created at start.
const std::vector<std::string>& RejectionReasons() {
  static const auto* reasons =
      new std::vector<std::string>{"decode",           "invalid",
                                   "unknown_contract", "currency_mismatch",
                                   "partner_mismatch", "refund_exceeds_sale",
                                   "out_of_range",     "unknown_topic",
                                   kParkingExpiredReason};
  return *reasons;
}

consumer::ConsumerLoopOptions LoopOptions(const EventConsumerOptions& options) {
  consumer::ConsumerLoopOptions loop;
  loop.name = "incentive";
  loop.topics = {options.sales_topic};
  loop.rejection_reasons = RejectionReasons();
  loop.batch_size = options.batch_size;
  loop.poll_timeout = options.poll_timeout;
  loop.min_backoff = options.min_backoff;
  loop.max_backoff = options.max_backoff;
  return loop;
}

absl::StatusOr<std::string> MonthLabel(absl::Time event_time, const std::string& time_zone) {
  absl::StatusOr<absl::TimeZone> zone = period::LoadZone(time_zone);
  if (!zone.ok()) return zone.status();
  return period::MonthOf(event_time, *zone).Label();
}

// Amount in currency units for consort_commissions_accrued_total.
double CurrencyUnits(const consort::common::v1::Money& amount) {
  const money::Currency* currency = money::FindCurrency(amount.currency());
  if (currency == nullptr) return 0;
  absl::StatusOr<money::Money> parsed = money::Money::Parse(amount.amount(), *currency);
  if (!parsed.ok()) return 0;
  return static_cast<double>(std::llabs(parsed->minor_units())) /
         std::pow(10.0, currency->minor_unit);
}

}  // namespace

EventConsumer::EventConsumer(kafka::Consumer* consumer, consumer::ContractLookup& contracts,
                             IncentiveStore& store, consumer::DeadLetterSink& dead_letters,
                             prometheus::Registry& registry, EventConsumerOptions options)
    : contracts_(contracts),
      store_(store),
      options_(std::move(options)),
      accrued_(prometheus::BuildCounter()
                   .Name("consort_commissions_accrued_total")
                   .Help("Commission accrued by sales (kind=commission) and reversed by refunds "
                         "(kind=clawback, counted as positive), in currency units.")
                   .Register(registry)),
      loop_(consumer, dead_letters, registry, LoopOptions(options_)) {}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() {
  loop_.Start([this](const std::vector<kafka::Message>& batch) { return ProcessBatch(batch); });
}

void EventConsumer::Stop() { loop_.Stop(); }

absl::StatusOr<std::map<kafka::TopicPartition, int64_t>> EventConsumer::ProcessBatch(
    const std::vector<kafka::Message>& batch) {
  const consumer::BatchOffsets offsets = consumer::NextOffsets(batch);

  std::vector<kafka::Message> messages = batch;
  std::vector<AccrualEvent> events;
  std::vector<consumer::Rejection> rejected;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!Decode(i, messages, events, rejected)) return absl::CancelledError("stopped");
  }
  if (!loop_.DeadLetter(messages, rejected)) return absl::CancelledError("stopped");

  // Plan from a fresh snapshot until the commit finds the state the plan was computed from.
  const SnapshotRequest request = PlanSnapshot(events);
  absl::flat_hash_set<std::pair<int32_t, int64_t>> sent;
  const bool stored = loop_.RetryStore(
      [&]() -> absl::Status {
        absl::StatusOr<Snapshot> snapshot = store_.ReadSnapshot(request);
        if (!snapshot.ok()) return snapshot.status();

        messages.resize(batch.size());
        absl::flat_hash_map<std::string, std::vector<AccrualEvent>> parked;
        std::vector<consumer::Rejection> parked_rejected;
        if (!DecodeParked(*snapshot, messages, parked, parked_rejected)) {
          return absl::CancelledError("stopped");
        }
        BatchPlan plan = PlanBatch(events, parked, *snapshot);

        // Parked refunds that no longer decode are dropped only with the release of their sale.
        absl::flat_hash_set<std::string> released;
        for (const ParkingRelease& release : plan.releases) {
          released.insert(release.original_sale_id);
        }
        std::vector<consumer::Rejection> fresh;
        for (consumer::Rejection& rejection : parked_rejected) {
          const std::string& original = messages[rejection.message_index].key;
          if (released.contains(original)) plan.rejected.push_back(std::move(rejection));
        }
        // A rejection found on an earlier attempt was sent already.
        for (consumer::Rejection& rejection : plan.rejected) {
          const kafka::Message& message = messages[rejection.message_index];
          if (sent.insert({message.partition, message.offset}).second) {
            fresh.push_back(std::move(rejection));
          }
        }
        if (!loop_.DeadLetter(messages, fresh)) return absl::CancelledError("stopped");

        absl::Status status = store_.Commit(plan, offsets.fields);
        if (!status.ok()) return status;
        loop_.CountConsumed(batch);
        RecordApplied(events, plan);
        return absl::OkStatus();
      },
      batch.size());
  if (!stored) return absl::CancelledError("stopped");
  return offsets.next;
}

bool EventConsumer::Decode(size_t index, const std::vector<kafka::Message>& messages,
                           std::vector<AccrualEvent>& decoded,
                           std::vector<consumer::Rejection>& rejected) {
  const kafka::Message& message = messages[index];
  if (message.topic != options_.sales_topic) {
    rejected.push_back(
        {index, "unknown_topic", absl::StrCat("the consumer does not read topic ", message.topic)});
    return true;
  }
  SaleEvent sale;
  if (!sale.ParseFromString(message.payload)) {
    rejected.push_back({index, "decode", "the payload is not a SaleEvent"});
    return true;
  }
  absl::StatusOr<absl::Time> event_time = consumer::ValidateSaleEvent(sale);
  if (!event_time.ok()) {
    rejected.push_back({index, "invalid", std::string(event_time.status().message())});
    return true;
  }

  std::optional<absl::StatusOr<consumer::ContractTerms>> contract =
      loop_.ResolveContract([&] { return contracts_.GetContract(sale.contract_id()); },
                            absl::StrCat("contract ", sale.contract_id()));
  if (!contract.has_value()) return false;
  if (!contract->ok()) {
    rejected.push_back({index, "unknown_contract", std::string(contract->status().message())});
    return true;
  }
  const consumer::ContractTerms& terms = **contract;
  if (terms.partner_id != sale.partner_id()) {
    rejected.push_back({index, "unknown_contract",
                        absl::StrCat("contract ", terms.contract_id, " binds partner ",
                                     terms.partner_id, ", not ", sale.partner_id())});
    return true;
  }
  if (terms.currency != sale.currency()) {
    rejected.push_back({index, "currency_mismatch",
                        absl::StrCat("the sale is in ", sale.currency(), " but contract ",
                                     terms.contract_id, " is in ", terms.currency)});
    return true;
  }
  absl::StatusOr<std::string> period = MonthLabel(*event_time, terms.time_zone);
  if (!period.ok()) {
    rejected.push_back({index, "unknown_contract", std::string(period.status().message())});
    return true;
  }

  AccrualEvent event;
  const bool refund = sale.kind() == events::v1::SALE_KIND_REFUND;
  event.kind = refund ? AccrualEvent::Kind::kRefund : AccrualEvent::Kind::kSale;
  event.message_index = index;
  event.sale_id = sale.sale_id();
  event.partner_id = sale.partner_id();
  event.original_sale_id = sale.original_sale_id();
  event.contract_id = terms.contract_id;
  event.currency = sale.currency();
  event.amount_minor = refund ? -sale.amount_minor() : sale.amount_minor();
  event.period = *std::move(period);
  event.event_time = *event_time;
  event.rate = terms.commission_rate;
  if (refund) {
    event.parking_record = EncodeParkingRecord(message.partition, message.offset, message.payload);
  }
  decoded.push_back(std::move(event));
  return true;
}

bool EventConsumer::DecodeParked(
    const Snapshot& snapshot, std::vector<kafka::Message>& messages,
    absl::flat_hash_map<std::string, std::vector<AccrualEvent>>& parked,
    std::vector<consumer::Rejection>& rejected) {
  for (const auto& [sale_id, refunds] : snapshot.parked) {
    for (const ParkedRefund& refund : refunds) {
      absl::StatusOr<ParkingRecord> record = DecodeParkingRecord(refund.record);
      if (!record.ok()) {
        // Without its payload the refund cannot be dead-lettered; it goes with its sale's release.
        int64_t suppressed = 0;
        if (loop_.log_limiter().Allow("parked_record", suppressed)) {
          spdlog::error(
              "msg=\"parked refund record is malformed; dropping it\" refund_id={} "
              "sale_id={} suppressed={}",
              Quote(refund.refund_id), Quote(sale_id), suppressed);
        }
        continue;
      }
      // The key carries the original sale id because the release check in ProcessBatch needs it.
      // The dead-letter copy of a parked refund therefore has the sale id as its key.
      messages.push_back({.topic = options_.sales_topic,
                          .partition = record->partition,
                          .offset = record->offset,
                          .key = sale_id,
                          .payload = std::move(record->payload)});

      std::vector<AccrualEvent> decoded;
      std::vector<consumer::Rejection> rejections;
      if (!Decode(messages.size() - 1, messages, decoded, rejections)) return false;
      for (consumer::Rejection& rejection : rejections) rejected.push_back(std::move(rejection));
      for (AccrualEvent& event : decoded) {
        if (event.kind != AccrualEvent::Kind::kRefund || event.original_sale_id != sale_id) {
          rejected.push_back({event.message_index, "invalid",
                              absl::StrCat("parked record ", refund.refund_id,
                                           " is not a refund of sale ", sale_id)});
          continue;
        }
        event.from_parking = true;
        parked[sale_id].push_back(std::move(event));
      }
    }
  }
  return true;
}

void EventConsumer::RecordApplied(const std::vector<AccrualEvent>& events, const BatchPlan& plan) {
  const absl::Time now = absl::Now();
  for (size_t index : plan.applied) {
    loop_.ObserveLatency(options_.sales_topic, events[index].event_time, now);
  }
  for (const consort::incentive::v1::AccrualLine& line : plan.lines) {
    const char* kind = line.kind() == v1::ACCRUAL_KIND_CLAWBACK ? "clawback" : "commission";
    accrued_.Add({{"currency", line.commission().currency()}, {"kind", kind}})
        .Increment(CurrencyUnits(line.commission()));
  }

  int64_t suppressed = 0;
  for (size_t index : plan.parked) {
    const AccrualEvent& refund = events[index];
    if (loop_.log_limiter().Allow("parked", suppressed)) {
      spdlog::info(
          "msg=\"refund parked until its sale arrives\" refund_id={} sale_id={} "
          "partner_id={} suppressed={}",
          Quote(refund.sale_id), Quote(refund.original_sale_id), refund.partner_id, suppressed);
    }
  }
  for (const ParkingRelease& release : plan.releases) {
    if (loop_.log_limiter().Allow("released", suppressed)) {
      spdlog::info(
          "msg=\"parked refunds applied to their sale\" sale_id={} refunds={} "
          "suppressed={}",
          Quote(release.original_sale_id), release.expected_count, suppressed);
    }
  }
}

}  // namespace consort::incentive
