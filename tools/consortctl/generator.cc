#include "consortctl/generator.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "consortctl/csv_reader.h"
#include "consortctl/olist_dataset.h"
#include "consortctl/random.h"

namespace consort::consortctl {
namespace {

struct Category {
  const char* portuguese;  // empty for products without a category
  const char* english;     // empty when the translation file has no row for it
  int64_t min_price_cents;
  int64_t max_price_cents;
  double weight;
};

// Categories of the real data set with plausible price bands. The last two named ones have no
// translation, as in the real file, and the blank one stands for products without a category.
const std::vector<Category>& Categories() {
  static const auto* categories = new std::vector<Category>{
      {"cama_mesa_banho", "bed_bath_table", 2000, 15000, 12},
      {"beleza_saude", "health_beauty", 1500, 25000, 10},
      {"esporte_lazer", "sports_leisure", 2000, 30000, 9},
      {"moveis_decoracao", "furniture_decor", 3000, 40000, 8},
      {"informatica_acessorios", "computers_accessories", 2500, 60000, 7},
      {"utilidades_domesticas", "housewares", 1500, 20000, 7},
      {"relogios_presentes", "watches_gifts", 5000, 90000, 6},
      {"telefonia", "telephony", 1500, 50000, 5},
      {"ferramentas_jardim", "garden_tools", 2000, 25000, 4},
      {"automotivo", "auto", 2000, 30000, 4},
      {"brinquedos", "toys", 1500, 20000, 4},
      {"cool_stuff", "cool_stuff", 3000, 40000, 3},
      {"perfumaria", "perfumery", 2000, 30000, 3},
      {"bebes", "baby", 2000, 35000, 3},
      {"eletronicos", "electronics", 1000, 40000, 3},
      {"papelaria", "stationery", 800, 10000, 2},
      {"fashion_bolsas_e_acessorios", "fashion_bags_accessories", 2000, 20000, 2},
      {"pet_shop", "pet_shop", 1500, 15000, 2},
      {"moveis_escritorio", "office_furniture", 8000, 120000, 1},
      {"pc_gamer", "", 100000, 450000, 1},
      {"portateis_cozinha_e_preparadores_de_alimentos", "", 5000, 60000, 1},
      {"", "", 1000, 20000, 2},
  };
  return *categories;
}

struct State {
  const char* code;
  double weight;
  std::vector<const char*> cities;
};

const std::vector<State>& States() {
  static const auto* states = new std::vector<State>{
      {"SP", 60, {"sao paulo", "campinas", "ribeirao preto", "guarulhos", "sorocaba"}},
      {"PR", 8, {"curitiba", "londrina", "maringa"}},
      {"MG", 8, {"belo horizonte", "uberlandia", "juiz de fora"}},
      {"RJ", 5, {"rio de janeiro", "niteroi"}},
      {"SC", 4, {"florianopolis", "joinville", "blumenau"}},
      {"RS", 4, {"porto alegre", "caxias do sul", "pelotas"}},
      {"DF", 2, {"brasilia"}},
      {"BA", 2, {"salvador", "feira de santana"}},
      {"GO", 2, {"goiania", "anapolis"}},
      {"ES", 2, {"vitoria", "vila velha"}},
      {"PE", 1, {"recife"}},
      {"CE", 1, {"fortaleza"}},
  };
  return *states;
}

struct Comment {
  const char* title;
  const char* message;
};

// Review comments, some with commas, quotes and line breaks, which the CSV writer must quote.
const std::vector<Comment>& Comments() {
  static const auto* comments = new std::vector<Comment>{
      {"", "Produto chegou antes do prazo, recomendo."},
      {"Recomendo", "Muito bom, \"excelente\" qualidade"},
      {"", "Entrega atrasada, mas o vendedor resolveu. Obrigado"},
      {"ruim", "O produto veio com defeito.\nNao recomendo."},
      {"Nao recebi", "Ate agora nao recebi o produto,\r\nquero meu dinheiro de volta"},
      {"otimo", "otimo"},
      {"", "Bom custo-beneficio"},
      {"Super recomendo", ""},
  };
  return *comments;
}

// Seasonal factor of each calendar month in thousandths: a November peak (Black Friday), a
// strong December and a quiet February.
constexpr int64_t kSeasonPerMille[12] = {850,  800,  950, 900,  1000, 950,
                                         1000, 1050, 950, 1000, 1400, 1200};

// Review scores 1 to 5 in thousandths for good and poor sellers.
const std::vector<double> kGoodScores = {70, 30, 80, 200, 620};
const std::vector<double> kPoorScores = {350, 200, 200, 150, 100};

std::string FormatLocal(absl::CivilSecond time) {
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d", time.year(), time.month(), time.day(),
                         time.hour(), time.minute(), time.second());
}

std::string FormatCents(int64_t cents) {
  return absl::StrFormat("%d.%02d", cents / 100, cents % 100);
}

// Writes one CSV file with a chosen set of the Olist format quirks.
class CsvFileWriter {
 public:
  struct Style {
    bool byte_order_mark = false;
    bool crlf = false;
    bool quote_header = false;
    // Quote some fields that need no quotes, in a fixed pattern, as the Olist samples do.
    bool mixed_quoting = false;
    bool final_line_end = true;
  };

  CsvFileWriter(const std::string& path, Style style)
      : out_(path, std::ios::binary), style_(style) {}

  bool ok() const { return static_cast<bool>(out_); }

  void WriteHeader(const std::vector<std::string>& names) {
    if (style_.byte_order_mark) out_ << "\xEF\xBB\xBF";
    WriteFields(names, style_.quote_header ? 1 : 0);
  }

  void WriteRow(const std::vector<std::string>& fields) {
    out_ << (style_.crlf ? "\r\n" : "\n");
    WriteFields(fields, style_.mixed_quoting ? 3 : 0);
    ++rows_;
  }

  // Ends the file and returns whether every write succeeded.
  bool Close() {
    if (style_.final_line_end) out_ << (style_.crlf ? "\r\n" : "\n");
    out_.close();
    return !out_.fail();
  }

 private:
  // With `quote_every` n > 0, field j of row i is quoted when (i + j) % n == 0 even if it needs
  // no quotes.
  void WriteFields(const std::vector<std::string>& fields, int quote_every) {
    for (size_t j = 0; j < fields.size(); ++j) {
      if (j > 0) out_ << ',';
      std::string field = CsvField(fields[j]);
      bool already_quoted = !field.empty() && field.front() == '"';
      if (quote_every > 0 && !already_quoted && (rows_ + j) % quote_every == 0) {
        field = absl::StrCat("\"", field, "\"");
      }
      out_ << field;
    }
  }

  std::ofstream out_;
  Style style_;
  int64_t rows_ = 0;
};

struct Seller {
  std::string id;
  std::string state;
  bool poor = false;
};

struct Product {
  std::string id;
  size_t category;
};

absl::StatusOr<absl::CivilMonth> ParseStartMonth(const std::string& label) {
  absl::CivilMonth month;
  if (label.size() != 7 || !absl::ParseCivilTime(label, &month)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--start-month \"", label, "\" is invalid; expected a month YYYY-MM such as 2021-01"));
  }
  return month;
}

}  // namespace

absl::Status ValidateGeneratorOptions(const GeneratorOptions& options, absl::Time now) {
  if (options.partners < 1 || options.partners > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--partners ", options.partners, " is invalid; expected 1 to 100000"));
  }
  if (options.months < 1 || options.months > 240) {
    return absl::InvalidArgumentError(
        absl::StrCat("--months ", options.months, " is invalid; expected 1 to 240"));
  }
  if (options.orders_per_partner_month < 1 || options.orders_per_partner_month > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("--orders-per-partner-month ",
                                                   options.orders_per_partner_month,
                                                   " is invalid; expected 1 to 1000"));
  }
  absl::StatusOr<absl::CivilMonth> start = ParseStartMonth(options.start_month);
  if (!start.ok()) return start.status();

  // Reviews come up to 20 days after the last order; a day more covers any time zone.
  absl::CivilDay last_review = absl::CivilDay(*start + options.months) + 21;
  if (absl::FromCivil(last_review, absl::UTCTimeZone()) > now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--start-month ", options.start_month, " with --months ", options.months,
        " reaches past today; the services reject event times in the future, so choose an "
        "earlier start or fewer months"));
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneratorSummary> GenerateOlistDataset(const GeneratorOptions& options,
                                                      const std::string& out_dir) {
  absl::Status valid = ValidateGeneratorOptions(options, absl::Now());
  if (!valid.ok()) return valid;
  absl::CivilMonth start = *ParseStartMonth(options.start_month);

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create ", out_dir, ": ", error.message()));
  }
  auto path = [&](const char* file) { return (std::filesystem::path(out_dir) / file).string(); };

  Random random(options.seed);
  GeneratorSummary summary;

  // Sellers.
  std::vector<double> state_weights;
  for (const State& state : States()) state_weights.push_back(state.weight);
  WeightedChoice state_choice(state_weights);
  std::vector<Seller> sellers;
  CsvFileWriter sellers_file(path(kSellersFile), {.mixed_quoting = true});
  sellers_file.WriteHeader({"seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"});
  for (int i = 0; i < options.partners; ++i) {
    const State& state = States()[state_choice.Draw(random)];
    Seller seller;
    seller.id = random.HexId();
    seller.state = state.code;
    seller.poor = random.PerMille(150);
    std::string zip = absl::StrFormat("%05d", random.UniformInt(1000, 99999));
    const char* city =
        state.cities[random.UniformInt(0, static_cast<int64_t>(state.cities.size()) - 1)];
    sellers_file.WriteRow({seller.id, zip, city, seller.state});
    sellers.push_back(std::move(seller));
  }
  summary.sellers = sellers.size();

  // Sizes: the seller at rank k of a random ranking gets a share proportional to 1/k.
  std::vector<size_t> ranking = Shuffled(sellers.size(), random);
  WeightedChoice rank_choice(ZipfWeights(sellers.size()));
  auto draw_seller = [&]() -> size_t { return ranking[rank_choice.Draw(random)]; };

  // Categories and products.
  std::vector<double> category_weights;
  for (const Category& category : Categories()) category_weights.push_back(category.weight);
  WeightedChoice category_choice(category_weights);

  CsvFileWriter translation_file(path(kTranslationFile),
                                 {.byte_order_mark = true, .crlf = true, .final_line_end = false});
  translation_file.WriteHeader({"product_category_name", "product_category_name_english"});
  for (const Category& category : Categories()) {
    if (*category.english != '\0')
      translation_file.WriteRow({category.portuguese, category.english});
  }

  std::vector<Product> products;
  int64_t product_count = std::max<int64_t>(20, static_cast<int64_t>(options.partners) * 8);
  CsvFileWriter products_file(path(kProductsFile), {.mixed_quoting = true});
  products_file.WriteHeader({"product_id", "product_category_name", "product_name_lenght",
                             "product_description_lenght", "product_photos_qty", "product_weight_g",
                             "product_length_cm", "product_height_cm", "product_width_cm"});
  for (int64_t i = 0; i < product_count; ++i) {
    Product product{random.HexId(), category_choice.Draw(random)};
    products_file.WriteRow(
        {product.id, Categories()[product.category].portuguese,
         absl::StrCat(random.UniformInt(20, 64)), absl::StrCat(random.UniformInt(100, 3000)),
         absl::StrCat(random.UniformInt(1, 6)), absl::StrCat(random.UniformInt(100, 20000)),
         absl::StrCat(random.UniformInt(10, 100)), absl::StrCat(random.UniformInt(2, 80)),
         absl::StrCat(random.UniformInt(8, 80))});
    products.push_back(std::move(product));
  }
  summary.products = products.size();

  // Orders, their items and their reviews, month by month.
  CsvFileWriter::Style sample_style{
      .quote_header = true, .mixed_quoting = true, .final_line_end = false};
  CsvFileWriter orders_file(path(kOrdersFile), sample_style);
  orders_file.WriteHeader({"order_id", "customer_id", "order_status", "order_purchase_timestamp",
                           "order_approved_at", "order_delivered_carrier_date",
                           "order_delivered_customer_date", "order_estimated_delivery_date"});
  CsvFileWriter items_file(path(kItemsFile), sample_style);
  items_file.WriteHeader({"order_id", "order_item_id", "product_id", "seller_id",
                          "shipping_limit_date", "price", "freight_value"});
  CsvFileWriter::Style reviews_style = sample_style;
  reviews_style.crlf = true;
  CsvFileWriter reviews_file(path(kReviewsFile), reviews_style);
  reviews_file.WriteHeader({"review_id", "order_id", "review_score", "review_comment_title",
                            "review_comment_message", "review_creation_date",
                            "review_answer_timestamp"});

  WeightedChoice good_scores(kGoodScores);
  WeightedChoice poor_scores(kPoorScores);
  auto write_review = [&](const std::string& order_id, int score, absl::CivilDay created) {
    std::string title;
    std::string message;
    if (random.PerMille(420)) {
      const Comment& comment =
          Comments()[random.UniformInt(0, static_cast<int64_t>(Comments().size()) - 1)];
      title = comment.title;
      message = comment.message;
    }
    absl::CivilSecond answered = absl::CivilSecond(created) + random.UniformInt(3600, 3 * 86400);
    reviews_file.WriteRow({random.HexId(), order_id, absl::StrCat(score), title, message,
                           FormatLocal(absl::CivilSecond(created)), FormatLocal(answered)});
    ++summary.reviews;
  };

  for (int m = 0; m < options.months; ++m) {
    absl::CivilMonth month = start + m;
    int days = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
    int64_t order_count = std::max<int64_t>(
        1, static_cast<int64_t>(options.partners) * options.orders_per_partner_month *
               kSeasonPerMille[month.month() - 1] * (1000 + 30 * m) / 1'000'000);

    for (int64_t o = 0; o < order_count; ++o) {
      std::string order_id = random.HexId();
      std::string customer_id = random.HexId();
      size_t seller = draw_seller();
      // Draws happen in separate statements because the order in which the operands of '+' or a
      // function's arguments are evaluated is unspecified, and the output must not depend on it.
      int64_t day_offset = random.UniformInt(0, days - 1);
      int64_t second_of_day = random.UniformInt(0, 86399);
      absl::CivilSecond purchase =
          absl::CivilSecond(absl::CivilDay(month) + day_offset) + second_of_day;

      int64_t status_draw = random.UniformInt(0, 9999);
      std::string status = status_draw < 150   ? "canceled"
                           : status_draw < 250 ? "unavailable"
                           : status_draw < 350 ? "shipped"
                           : status_draw < 400 ? "invoiced"
                                               : "delivered";
      bool refunded = status == "canceled" || status == "unavailable";

      int64_t item_draw = random.UniformInt(0, 999);
      int item_count = 1;
      if (item_draw >= 960) {
        item_count = 3;
      } else if (item_draw >= 850) {
        item_count = 2;
      }
      absl::CivilSecond shipping_limit = purchase + random.UniformInt(2 * 86400, 7 * 86400);
      for (int k = 1; k <= item_count; ++k) {
        size_t item_seller = (k == 1 || !random.PerMille(150)) ? seller : draw_seller();
        const Product& product =
            products[random.UniformInt(0, static_cast<int64_t>(products.size()) - 1)];
        const Category& category = Categories()[product.category];
        int64_t price = random.UniformInt(category.min_price_cents, category.max_price_cents);
        int64_t freight = random.PerMille(50) ? 0 : random.UniformInt(price / 20, price / 4 + 500);
        items_file.WriteRow({order_id, absl::StrCat(k), product.id, sellers[item_seller].id,
                             FormatLocal(shipping_limit), FormatCents(price),
                             FormatCents(freight)});
        ++summary.items;
      }

      absl::CivilSecond approved = purchase + random.UniformInt(60, 7200);
      absl::CivilSecond carrier = approved + random.UniformInt(86400, 4 * 86400);
      absl::CivilSecond delivered = carrier + random.UniformInt(2 * 86400, 12 * 86400);
      absl::CivilDay estimated = absl::CivilDay(purchase) + random.UniformInt(20, 30);
      bool in_orders_file = !random.PerMille(30);
      if (in_orders_file) {
        bool was_delivered = status == "delivered";
        bool left_warehouse = was_delivered || status == "shipped";
        orders_file.WriteRow({order_id, customer_id, status, FormatLocal(purchase),
                              status == "canceled" ? "" : FormatLocal(approved),
                              left_warehouse ? FormatLocal(carrier) : "",
                              was_delivered ? FormatLocal(delivered) : "",
                              FormatLocal(absl::CivilSecond(estimated))});
        ++summary.orders;
      }

      if (random.PerMille(refunded ? 500 : 920)) {
        const WeightedChoice& scores = sellers[seller].poor ? poor_scores : good_scores;
        int score = static_cast<int>(scores.Draw(random)) + 1;
        int64_t delay_days = random.UniformInt(3, 20);
        write_review(order_id, score, absl::CivilDay(purchase) + delay_days);
      }
      // A review of an order that is not in the items file, as the Olist samples have.
      if (random.PerMille(20)) {
        std::string unknown_order_id = random.HexId();
        int score = static_cast<int>(random.UniformInt(1, 5));
        int64_t delay_days = random.UniformInt(3, 20);
        write_review(unknown_order_id, score, absl::CivilDay(purchase) + delay_days);
      }
    }
  }

  for (CsvFileWriter* file : {&sellers_file, &translation_file, &products_file, &orders_file,
                              &items_file, &reviews_file}) {
    if (!file->Close()) {
      return absl::InternalError(absl::StrCat("failed to write the data set into ", out_dir));
    }
  }
  return summary;
}

}  // namespace consort::consortctl
