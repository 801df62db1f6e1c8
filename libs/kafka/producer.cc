#include "kafka/producer.h"

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace consort::kafka {
namespace {

using internal::KafkaError;

// How long one rd_kafka_poll call of the poll thread blocks, which bounds how long the
// destructor waits for the thread to notice that it should stop.
constexpr int kPollIntervalMs = 100;

// Destroys the headers unless librdkafka took them over.
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    const std::string& bootstrap, const std::string& client_id, prometheus::Registry& registry,
    std::map<std::string, std::string> overrides, ProducerOptions options) {
  if (bootstrap.empty()) {
    return absl::InvalidArgumentError("Kafka bootstrap servers are missing; pass host:port");
  }

  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", bootstrap},
      {"client.id", client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
  };
  for (auto& [name, value] : overrides) properties[name] = std::move(value);
  absl::StatusOr<internal::KafkaConf> conf = internal::NewConf(properties);
  if (!conf.ok()) return conf.status();

  auto& queue_depth = prometheus::BuildGauge()
                          .Name("consort_kafka_producer_queue_depth")
                          .Help("Messages produced and still waiting for a delivery report")
                          .Register(registry)
                          .Add({});
  auto& delivery_failures = prometheus::BuildCounter()
                                .Name("consort_kafka_delivery_failures_total")
                                .Help("Messages that Kafka did not acknowledge, by topic")
                                .Register(registry);
  std::unique_ptr<Producer> producer(
      new Producer(client_id, options, queue_depth, delivery_failures));

  rd_kafka_conf_set_opaque(conf->get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &Producer::OnError);
  absl::StatusOr<internal::KafkaHandle> handle = internal::NewHandle(
      RD_KAFKA_PRODUCER, *std::move(conf), absl::StrCat("Kafka producer ", client_id));
  if (!handle.ok()) return handle.status();
  producer->handle_ = *std::move(handle);
  producer->poll_thread_ = std::thread(&Producer::PollLoop, producer.get());

  spdlog::info("msg=\"Kafka producer created\" client={} bootstrap={}", Quote(client_id),
               Quote(bootstrap));
  return producer;
}

Producer::Producer(std::string client_id, ProducerOptions options, prometheus::Gauge& queue_depth,
                   prometheus::Family<prometheus::Counter>& delivery_failures)
    : client_id_(std::move(client_id)),
      options_(options),
      queue_depth_(queue_depth),
      delivery_failures_(delivery_failures) {}

Producer::~Producer() {
  stopping_ = true;
  if (poll_thread_.joinable()) poll_thread_.join();
  if (handle_ == nullptr) return;

  const int64_t left = outstanding();
  if (left > 0) {
    spdlog::warn(
        "msg=\"Kafka producer closed with undelivered messages; cancelling them\" "
        "client={} messages={}",
        Quote(client_id_), left);
    rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages get delivery reports only when the handle is polled. They arrive
    // promptly, and the bound only guards against a report that never comes.
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (outstanding() > 0 && absl::Now() < deadline) rd_kafka_poll(handle_.get(), 50);
  }
  handle_.reset();
}

void Producer::PollLoop() {
  while (!stopping_) rd_kafka_poll(handle_.get(), kPollIntervalMs);
}

bool Producer::OnPollThread() const { return std::this_thread::get_id() == poll_thread_.get_id(); }

void Producer::OnDelivery(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message, void* opaque) {
  static_cast<Producer*>(opaque)->HandleDelivery(*message);
}

void Producer::OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque) {
  auto* producer = static_cast<Producer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::error(
        "msg=\"Kafka producer hit a fatal error; Produce will fail from now on\" "
        "client={} error={}",
        Quote(producer->client_id_), Quote(internal::FatalError(handle).message()));
    return;
  }
  internal::LogClientError(producer->client_id_, code, reason);
}

void Producer::HandleDelivery(const rd_kafka_message_t& message) {
  std::unique_ptr<PendingDelivery> pending(static_cast<PendingDelivery*>(message._private));
  const char* topic = rd_kafka_topic_name(message.rkt);

  absl::Status status;
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = KafkaError(message.err, absl::StrCat("delivering a message to topic ", topic));
    delivery_failures_.Add({{"topic", topic}}).Increment();
  }
  if (pending != nullptr && pending->callback) pending->callback(std::move(status));

  queue_depth_.Decrement();
  absl::MutexLock lock(&mu_);
  --outstanding_;
  ++deliveries_;
}

rd_kafka_resp_err_t Producer::Enqueue(const std::string& topic, std::string_view key,
                                      std::string_view payload, rd_kafka_headers_t* headers,
                                      PendingDelivery* pending) {
  // librdkafka sends a null value for a null pointer, so an empty payload points at "" instead.
  static const char kEmpty[] = "";
  const void* value = payload.empty() ? kEmpty : payload.data();
  return rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
                           RD_KAFKA_V_VALUE(const_cast<void*>(value), payload.size()),
                           RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
}

void Producer::WaitForDeliveries(uint64_t seen_deliveries) {
  if (OnPollThread()) {
    // A delivery callback is producing, so the poll thread is this thread: serve reports here.
    rd_kafka_poll(handle_.get(), kPollIntervalMs);
    return;
  }
  absl::MutexLock lock(&mu_);
  auto progressed = [this, seen_deliveries]()
                        ABSL_SHARED_LOCKS_REQUIRED(mu_) { return deliveries_ != seen_deliveries; };
  mu_.AwaitWithTimeout(absl::Condition(&progressed), absl::Milliseconds(kPollIntervalMs));
}

absl::Status Producer::Produce(const std::string& topic, std::string_view key,
                               std::string_view payload,
                               std::vector<std::pair<std::string, std::string>> headers,
                               DeliveryCallback on_delivery) {
  if (topic.empty()) {
    return absl::InvalidArgumentError("topic is missing; name the topic to produce to");
  }
  // Creates the topic's failure counter at zero on first use, so that dashboards and alerts see
  // the series before the first failure.
  delivery_failures_.Add({{"topic", topic}});

  std::unique_ptr<rd_kafka_headers_t, HeadersDeleter> kafka_headers;
  if (!headers.empty()) {
    kafka_headers.reset(rd_kafka_headers_new(headers.size()));
    for (const auto& [name, value] : headers) {
      rd_kafka_header_add(kafka_headers.get(), name.data(), name.size(), value.data(),
                          value.size());
    }
  }
  auto pending = std::make_unique<PendingDelivery>(PendingDelivery{std::move(on_delivery)});

  // Counted before the call because the poll thread may serve the report before producev
  // returns.
  {
    absl::MutexLock lock(&mu_);
    ++outstanding_;
  }
  queue_depth_.Increment();

  const absl::Time deadline = absl::Now() + options_.queue_full_timeout;
  rd_kafka_resp_err_t error;
  while (true) {
    uint64_t seen_deliveries;
    {
      absl::MutexLock lock(&mu_);
      seen_deliveries = deliveries_;
    }
    error = Enqueue(topic, key, payload, kafka_headers.get(), pending.get());
    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL || absl::Now() >= deadline) break;
    WaitForDeliveries(seen_deliveries);
  }

  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    kafka_headers.release();
    pending.release();
    return absl::OkStatus();
  }

  queue_depth_.Decrement();
  {
    absl::MutexLock lock(&mu_);
    --outstanding_;
  }
  if (error == RD_KAFKA_RESP_ERR__FATAL) return internal::FatalError(handle_.get());
  if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "producing to topic ", topic, " failed: the local queue of producer ", client_id_,
        " stayed full for ", absl::FormatDuration(options_.queue_full_timeout),
        "; the brokers are not keeping up or are unreachable"));
  }
  return KafkaError(error, absl::StrCat("producing to topic ", topic));
}

absl::Status Producer::Flush(absl::Duration timeout) {
  if (OnPollThread()) {
    return absl::FailedPreconditionError(
        "Flush was called from a delivery callback, where it would wait for itself");
  }
  absl::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return outstanding_ == 0; };
  if (mu_.AwaitWithTimeout(absl::Condition(&drained), timeout)) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat(
      "flushing producer ", client_id_, " timed out after ", absl::FormatDuration(timeout),
      " with ", outstanding_, " messages waiting for a delivery report"));
}

int64_t Producer::outstanding() const {
  absl::MutexLock lock(&mu_);
  return outstanding_;
}

}  // namespace consort::kafka
