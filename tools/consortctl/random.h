#pragma once

// Seeded random draws for the data generator that give the same values on every platform and
// standard library. std::mt19937_64 itself is fully specified by the C++ standard, but the
// standard distributions are not, so this file implements the few it needs with integer
// arithmetic and IEEE double operations that round the same everywhere (no libm calls).
//
// Not thread-safe; one Random per thread.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace consort::consortctl {

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // A uniform integer in [low, high]; `low` must not exceed `high`. Uses rejection so that every
  // value is equally likely.
  int64_t UniformInt(int64_t low, int64_t high);

  // A uniform double in [0, 1) from the top 53 bits of one draw.
  double UniformDouble();

  // True with probability `per_mille` / 1000.
  bool PerMille(int per_mille) { return UniformInt(0, 999) < per_mille; }

  // 32 lower-case hexadecimal digits, like the Olist identifiers.
  std::string HexId();

 private:
  std::mt19937_64 engine_;
};

// Draws an index with probability proportional to its weight.
class WeightedChoice {
 public:
  // Weights must be non-negative with a positive sum.
  explicit WeightedChoice(const std::vector<double>& weights);

  size_t Draw(Random& random) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;
};

// Zipf weights with exponent 1: the item of rank k (1-based) weighs 1/k.
std::vector<double> ZipfWeights(size_t count);

// A uniformly random permutation of 0 .. count-1 (Fisher-Yates).
std::vector<size_t> Shuffled(size_t count, Random& random);

}  // namespace consort::consortctl
