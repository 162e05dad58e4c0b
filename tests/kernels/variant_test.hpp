// Runs a kernel test once per instruction-set variant this CPU supports (baseline, avx2, avx512), and
// computes the float64 references, which cost far more than the kernels, once for all variants.
#pragma once

#include <nfx/kernels/cpu.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

namespace nfx::test {

class VariantTest : public ::testing::TestWithParam<kernels::CpuVariant> {
 protected:
  void SetUp() override { kernels::set_cpu_variant(GetParam()); }
};

inline std::string variant_test_name(const ::testing::TestParamInfo<kernels::CpuVariant>& info) {
  return kernels::cpu_variant_name(info.param);
}

// The value `make` returns for `key`, made on the first call only (the first variant's test).
template <typename R>
const R& computed_once(const std::string& key, const std::function<R()>& make) {
  static std::map<std::string, R> cache;
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, make()).first;
  return found->second;
}

}  // namespace nfx::test

// Declares the fixture `suite` and runs its TEST_Ps on every supported variant.
#define NFX_VARIANT_SUITE(suite)                                                                          \
  class suite : public ::nfx::test::VariantTest {};                                                       \
  INSTANTIATE_TEST_SUITE_P(Variants, suite, ::testing::ValuesIn(::nfx::kernels::supported_cpu_variants()), \
                           ::nfx::test::variant_test_name)
