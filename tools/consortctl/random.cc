#include "consortctl/random.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_format.h"

namespace consort::consortctl {

int64_t Random::UniformInt(int64_t low, int64_t high) {
  uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  if (span == std::numeric_limits<uint64_t>::max()) return static_cast<int64_t>(Next());
  uint64_t range = span + 1;
  // Draws at or above `limit` would make the low values more likely, so they are drawn again.
  uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
  uint64_t draw;
  do {
    draw = Next();
  } while (draw >= limit);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + draw % range);
}

double Random::UniformDouble() {
  return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0);  // 2^53
}

std::string Random::HexId() {
  uint64_t high = Next();
  uint64_t low = Next();
  return absl::StrFormat("%016x%016x", high, low);
}

WeightedChoice::WeightedChoice(const std::vector<double>& weights) {
  double sum = 0;
  cumulative_.reserve(weights.size());
  for (double weight : weights) {
    sum += weight;
    cumulative_.push_back(sum);
  }
}

size_t WeightedChoice::Draw(Random& random) const {
  double target = random.UniformDouble() * cumulative_.back();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
  if (it == cumulative_.end()) return cumulative_.size() - 1;
  return static_cast<size_t>(it - cumulative_.begin());
}

std::vector<double> ZipfWeights(size_t count) {
  std::vector<double> weights(count);
  for (size_t k = 0; k < count; ++k) weights[k] = 1.0 / static_cast<double>(k + 1);
  return weights;
}

std::vector<size_t> Shuffled(size_t count, Random& random) {
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  for (size_t i = count; i > 1; --i) {
    size_t j = static_cast<size_t>(random.UniformInt(0, static_cast<int64_t>(i) - 1));
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

}  // namespace consort::consortctl
