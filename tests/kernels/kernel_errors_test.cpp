// Bad input to the kernels: each kind of mistake gets its own error, saying what and where.
#include <nfx/kernels/cpu.hpp>
#include <nfx/kernels/triangular.hpp>

#include "variant_test.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

using namespace nfx::kernels;
using ::testing::HasSubstr;

namespace {

// A 3-channel, k = 2 kernel whose centre tap is the identity.
std::vector<double> identity_kernel() {
  std::vector<double> k(3 * 3 * 2 * 2, 0.0);
  for (int c = 0; c < 3; ++c) k[((c * 3 + c) * 2 + 1) * 2 + 1] = 1.0;
  return k;
}
double& center(std::vector<double>& k, int o, int c) { return k[((o * 3 + c) * 2 + 1) * 2 + 1]; }

KernelError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const KernelError& e) {
    return e;
  }
  ADD_FAILURE() << "no KernelError thrown";
  return KernelError(KernelError::Kind::shape, "");
}

struct Arrays {
  std::vector<double> kernel = identity_kernel();
  std::vector<double> x = std::vector<double>(2 * 3 * 4 * 4, 0.5);
  std::vector<double> y = std::vector<double>(2 * 3 * 4 * 4);
  View4<const double> k() const { return {kernel.data(), 3, 3, 2, 2}; }
  View4<const double> in() const { return {x.data(), 2, 3, 4, 4}; }
  View4<double> out() { return {y.data(), 2, 3, 4, 4}; }
};

}  // namespace

NFX_VARIANT_SUITE(KernelErrors);

TEST_P(KernelErrors, SingularKernelNamesTheChannel) {
  Arrays a;
  center(a.kernel, 1, 1) = 0.0;
  const KernelError e = error_of([&] { triangular_inverse(a.k(), Corner::top_left, a.in(), a.out()); });
  EXPECT_EQ(e.kind(), KernelError::Kind::singular);
  EXPECT_THAT(e.what(), HasSubstr("singular: channel 1: Kc[1,1] is 0"));
}

TEST_P(KernelErrors, SingularFullCenterTapIsFoundByPivoting) {
  Arrays a;
  // Rows 0 and 2 of Kc equal: det Kc = 0 although no diagonal entry is 0.
  center(a.kernel, 0, 2) = 1.0;
  center(a.kernel, 2, 0) = 1.0;
  const KernelError e = error_of([&] { check_invertible(a.k()); });
  EXPECT_EQ(e.kind(), KernelError::Kind::singular);
  EXPECT_THAT(e.what(), HasSubstr("pivot 2 of Kc"));
}

TEST_P(KernelErrors, NearSingularKernelSaysByHowMuch) {
  Arrays a;
  center(a.kernel, 2, 2) = -1e-9;
  const KernelError e = error_of([&] { triangular_inverse(a.k(), Corner::bottom_right, a.in(), a.out()); });
  EXPECT_EQ(e.kind(), KernelError::Kind::near_singular);
  EXPECT_THAT(e.what(), HasSubstr("channel 2: Kc[2,2] is -1e-09, 1e+03 times below the threshold 1e-06"));
  SolveOptions lenient;
  lenient.min_pivot = 1e-12;
  EXPECT_NO_THROW(triangular_inverse(a.k(), Corner::bottom_right, a.in(), a.out(), lenient));
}

TEST_P(KernelErrors, NaNInputIsLocated) {
  Arrays a;
  a.x[((1 * 3 + 2) * 4 + 3) * 4 + 1] = std::nan("");
  const KernelError e = error_of([&] { triangular_inverse(a.k(), Corner::top_left, a.in(), a.out()); });
  EXPECT_EQ(e.kind(), KernelError::Kind::not_finite);
  EXPECT_THAT(e.what(), HasSubstr("y contains NaN at (1, 2, 3, 1)"));
  a.x[5] = 0.0;
  a.kernel[0] = INFINITY;
  a.x[((1 * 3 + 2) * 4 + 3) * 4 + 1] = 0.0;
  EXPECT_THAT(error_of([&] { triangular_forward(a.k(), Corner::top_left, a.in(), a.out()); }).what(),
              HasSubstr("kernel contains an infinity at (0, 0, 0, 0)"));
}

TEST_P(KernelErrors, MismatchedShapesNameBothSides) {
  Arrays a;
  const View4<const double> four_channels{a.x.data(), 2, 4, 3, 4};
  KernelError e = error_of([&] { triangular_forward(a.k(), Corner::top_left, four_channels, a.out()); });
  EXPECT_EQ(e.kind(), KernelError::Kind::shape);
  EXPECT_THAT(e.what(), HasSubstr("x: expected B x 3 x H x W (the kernel has 3 channels), got 2 x 4 x 3 x 4"));
  const View4<double> smaller{a.y.data(), 2, 3, 4, 3};
  e = error_of([&] { triangular_inverse(a.k(), Corner::top_left, a.in(), smaller); });
  EXPECT_THAT(e.what(), HasSubstr("x: expected the shape of y, 2 x 3 x 4 x 4, got 2 x 3 x 4 x 3"));
  const View4<const double> not_square{a.kernel.data(), 3, 3, 1, 4};
  e = error_of([&] { triangular_forward(not_square, Corner::top_left, a.in(), a.out()); });
  EXPECT_THAT(e.what(), HasSubstr("kernel: expected C x C x k x k"));
}

TEST(CpuVariants, BaselineRunsEverywhereAndTheBestIsChosen) {
  const std::vector<CpuVariant> supported = supported_cpu_variants();
  ASSERT_FALSE(supported.empty());
  EXPECT_EQ(supported.front(), CpuVariant::baseline);
  EXPECT_THAT(cpu_variant_summary(), ::testing::AnyOf(HasSubstr("the best this CPU supports"),
                                                        HasSubstr("forced by NFX_CPU"), HasSubstr("set by the program")));
}

TEST(CpuVariants, AVariantThisCpuCannotRunIsRefusedNamingThoseItCan) {
  const std::vector<CpuVariant> supported = supported_cpu_variants();
  if (supported.back() == CpuVariant::avx512) GTEST_SKIP() << "this CPU runs every variant";
  const CpuVariant before = cpu_variant();
  try {
    set_cpu_variant(CpuVariant::avx512);
    FAIL() << "an unsupported variant must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot run the avx512 kernels; it runs: baseline"));
  }
  EXPECT_EQ(cpu_variant(), before);
}
