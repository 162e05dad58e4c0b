// Flow layers in float64 on small shapes: exact inverses, log-determinants against the full Jacobian from
// autograd, the custom k x k operations' gradients against finite differences, and the Inverse-Flow
// direction against the same layer written with a dense matrix.
#include <nfx/flow/basic_layers.hpp>
#include <nfx/flow/coupling.hpp>
#include <nfx/flow/model.hpp>
#include <nfx/flow/periodic_layer.hpp>
#include <nfx/flow/periodic_ops.hpp>
#include <nfx/flow/triangular_layers.hpp>
#include <nfx/training/random.hpp>

#include <gtest/gtest.h>

using namespace nfx::flow;
using nfx::kernels::Corner;

namespace {

// Layers draw their initial weights from a generator they are given.
torch::Generator& layer_generator() {
  static torch::Generator generator = nfx::training::make_generator(1);
  return generator;
}

constexpr Corner kCorners[] = {Corner::top_left, Corner::top_right, Corner::bottom_left, Corner::bottom_right};

double relative(const torch::Tensor& got, const torch::Tensor& expected) {
  return ((got - expected).norm() / expected.norm().clamp_min(1e-300)).item<double>();
}

// Moves every parameter away from its initial value (couplings start as the identity) and to float64.
void randomize(torch::nn::Module& m, double scale = 0.2) {
  m.to(torch::kDouble);
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : m.parameters()) p.add_(torch::randn_like(p) * scale);
}

// log|det| of the full Jacobian of `f` at x, one autograd pass per output value.
double jacobian_logdet(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& x) {
  const torch::Tensor input = x.detach().clone().requires_grad_(true);
  const torch::Tensor y = f(input).reshape({-1});
  const int64_t d = y.numel();
  torch::Tensor jac = torch::zeros({d, input.numel()}, torch::kDouble);
  for (int64_t i = 0; i < d; ++i) {
    const torch::Tensor g = torch::autograd::grad({y[i]}, {input}, {}, true)[0];
    jac[i] = g.reshape({-1});
  }
  return std::get<1>(torch::linalg_slogdet(jac)).item<double>();
}

struct LayerCase {
  std::string name;
  FlowLayerPtr layer;
  std::vector<int64_t> shape;
};

std::vector<LayerCase> layer_cases() {
  std::vector<LayerCase> cases;
  cases.push_back({"actnorm", std::make_shared<ActNorm>(3), {2, 3, 4, 4}});
  cases.push_back({"invconv1x1", std::make_shared<InvConv1x1>(4, layer_generator()), {2, 4, 3, 4}});
  for (Corner corner : kCorners) {
    for (Direction direction : {Direction::standard, Direction::inverse}) {
      for (int64_t k : {1, 2, 3}) {
        cases.push_back({std::string("triangular k=") + std::to_string(k) + " " + nfx::kernels::corner_name(corner) +
                             (direction == Direction::inverse ? " inverse" : " standard"),
                         std::make_shared<TriangularConv>(3, k, corner, direction, layer_generator()), {2, 3, 4, 5}});
      }
    }
  }
  cases.push_back({"finc3 standard", std::make_shared<FincUnit>(8, 3, Direction::standard, layer_generator()), {2, 8, 3, 3}});
  cases.push_back({"finc2 inverse", std::make_shared<FincUnit>(4, 2, Direction::inverse, layer_generator()), {2, 4, 4, 3}});
  cases.push_back({"periodic3 standard", std::make_shared<PeriodicConv>(3, 3, Direction::standard, layer_generator()), {2, 3, 4, 5}});
  cases.push_back({"periodic2 inverse", std::make_shared<PeriodicConv>(2, 2, Direction::inverse, layer_generator()), {2, 2, 5, 4}});
  cases.push_back({"affine coupling", std::make_shared<AffineCoupling>(4, 8, 0, layer_generator()), {2, 4, 3, 3}});
  cases.push_back({"quad coupling", std::make_shared<QuadCoupling>(8, 8, 0, layer_generator()), {2, 8, 2, 3}});
  for (LayerCase& c : cases) randomize(*c.layer);
  return cases;
}

}  // namespace

TEST(FlowLayers, InverseUndoesForward) {
  for (LayerCase& c : layer_cases()) {
    SCOPED_TRACE(c.name);
    const torch::Tensor x = torch::randn(c.shape, torch::kDouble);
    torch::Tensor logdet = torch::zeros({c.shape[0]}, torch::kDouble);
    const torch::Tensor y = c.layer->forward(x, logdet);
    EXPECT_GT(relative(y, x), 1e-3) << "the layer should not be the identity here";
    EXPECT_LT(relative(c.layer->inverse(y), x), 1e-10);
  }
  const torch::Tensor x = torch::randn({2, 3, 4, 6}, torch::kDouble);
  EXPECT_EQ(squeeze_2x2(x).sizes(), (std::vector<int64_t>{2, 12, 2, 3}));
  EXPECT_TRUE(torch::equal(unsqueeze_2x2(squeeze_2x2(x)), x));
  EXPECT_TRUE(torch::equal(squeeze_2x2(x).select(1, 1).select(0, 0), x.select(0, 0).select(0, 0).slice(0, 0, 4, 2).slice(1, 1, 6, 2)))
      << "channel 1 of the squeeze holds the top-right pixel of each 2 x 2 block";
}

TEST(FlowLayers, LogdetEqualsTheJacobianLogDeterminant) {
  for (LayerCase& c : layer_cases()) {
    SCOPED_TRACE(c.name);
    std::vector<int64_t> one = c.shape;
    one[0] = 1;
    const torch::Tensor x = torch::randn(one, torch::kDouble);
    torch::Tensor logdet = torch::zeros({1}, torch::kDouble);
    c.layer->forward(x, logdet);  // also runs ActNorm's data-dependent initialization
    logdet = torch::zeros({1}, torch::kDouble);
    c.layer->forward(x, logdet);
    const double expected = jacobian_logdet(
        [&](const torch::Tensor& in) {
          torch::Tensor unused = torch::zeros({1}, torch::kDouble);
          return c.layer->forward(in, unused);
        },
        x);
    EXPECT_NEAR(logdet.item<double>(), expected, 1e-9 * std::max(1.0, std::fabs(expected)));
  }
}

namespace {

// Central differences of loss(x, K) in x (which = 0) or K (which = 1).
torch::Tensor finite_differences(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& loss,
                                 const torch::Tensor& x, const torch::Tensor& kernel, int which) {
  const double eps = 1e-6;
  const torch::Tensor base = (which == 0 ? x : kernel).detach();
  torch::Tensor fd = torch::zeros_like(base);
  auto flat = fd.view({-1});
  for (int64_t i = 0; i < base.numel(); ++i) {
    torch::Tensor plus = base.clone(), minus = base.clone();
    plus.view({-1})[i] += eps;
    minus.view({-1})[i] -= eps;
    const double lp = (which == 0 ? loss(plus, kernel.detach()) : loss(x.detach(), plus)).item<double>();
    const double lm = (which == 0 ? loss(minus, kernel.detach()) : loss(x.detach(), minus)).item<double>();
    flat[i] = (lp - lm) / (2 * eps);
  }
  return fd;
}

// The operation's own gradients of L = loss(x, K) against central differences, in x and in K.
void expect_gradients_match(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& loss,
                            const torch::Tensor& x_value, const torch::Tensor& kernel_value) {
  const torch::Tensor x = x_value.detach().clone().requires_grad_(true);
  const torch::Tensor kernel = kernel_value.detach().clone().requires_grad_(true);
  const auto grads = torch::autograd::grad({loss(x, kernel)}, {x, kernel});
  EXPECT_LT(relative(grads[0], finite_differences(loss, x, kernel, 0)), 1e-6) << "d/dx";
  EXPECT_LT(relative(grads[1], finite_differences(loss, x, kernel, 1)), 1e-6) << "d/dK";
}

}  // namespace

// L = <R, op(x, K)>.
TEST(FlowLayers, TriangularOperationGradientsMatchFiniteDifferences) {
  for (Corner corner : kCorners) {
    for (bool solve : {false, true}) {
      SCOPED_TRACE(std::string(nfx::kernels::corner_name(corner)) + (solve ? " solve" : " conv"));
      TriangularConv layer(3, 3, corner, Direction::standard, layer_generator());
      randomize(layer, 0.3);
      const torch::Tensor r = torch::randn({2, 3, 4, 5}, torch::kDouble);
      expect_gradients_match(
          [&](const torch::Tensor& in, const torch::Tensor& k) {
            return ((solve ? triangular_solve(in, k, corner) : triangular_conv(in, k, corner)) * r).sum();
          },
          torch::randn({2, 3, 4, 5}, torch::kDouble), layer.kernel());
    }
  }
}

// L = <R, op(x, K)> + s log|det T(K)| for the periodic convolution and its solve, even and odd k.
TEST(FlowLayers, PeriodicOperationGradientsMatchFiniteDifferences) {
  for (int64_t k : {2, 3}) {
    for (bool solve : {false, true}) {
      SCOPED_TRACE("k=" + std::to_string(k) + (solve ? " solve" : " conv"));
      PeriodicConv layer(3, k, Direction::standard, layer_generator());
      randomize(layer, 0.1);
      const torch::Tensor r = torch::randn({2, 3, 4, 5}, torch::kDouble);
      expect_gradients_match(
          [&](const torch::Tensor& in, const torch::Tensor& kern) {
            return ((solve ? periodic_solve(in, kern) : periodic_conv(in, kern)) * r).sum() +
                   0.7 * periodic_logdet(kern, 4, 5);
          },
          torch::randn({2, 3, 4, 5}, torch::kDouble), layer.kernel());
    }
  }
}

namespace {

// A layer as a dense (C*H*W) x (C*H*W) matrix, column j = the layer applied to basis vector j, built
// with conv2d so it is differentiable in K.
torch::Tensor dense_from_columns(const torch::Tensor& columns, int64_t d) { return columns.reshape({d, d}).t(); }

// The top-left triangular layer pads k-1 zeros above and left; other corners flip the image.
torch::Tensor dense_triangular(const torch::Tensor& kernel, Corner corner, int64_t c, int64_t h, int64_t w) {
  const int64_t d = c * h * w, k = kernel.size(2);
  std::vector<int64_t> flips;
  if (corner == Corner::bottom_left || corner == Corner::bottom_right) flips.push_back(2);
  if (corner == Corner::top_right || corner == Corner::bottom_right) flips.push_back(3);
  auto flip = [&](const torch::Tensor& t) { return flips.empty() ? t : torch::flip(t, flips); };
  const torch::Tensor basis = torch::eye(d, torch::kDouble).view({d, c, h, w});
  return dense_from_columns(flip(torch::conv2d(torch::constant_pad_nd(flip(basis), {k - 1, 0, k - 1, 0}, 0.0), kernel)), d);
}

// The periodic layer pads circularly, p = (k-1)/2 before and k-1-p after.
torch::Tensor dense_periodic(const torch::Tensor& kernel, int64_t c, int64_t h, int64_t w) {
  const int64_t d = c * h * w, k = kernel.size(2), p = (k - 1) / 2;
  const torch::Tensor basis = torch::eye(d, torch::kDouble).view({d, c, h, w});
  namespace F = torch::nn::functional;
  const torch::Tensor padded = F::pad(basis, F::PadFuncOptions({p, k - 1 - p, p, k - 1 - p}).mode(torch::kCircular));
  return dense_from_columns(torch::conv2d(padded, kernel), d);
}

// ActNorm followed by `layer`, against the same map written with a dense matrix M and torch's autograd:
// y = M h and log|det| = log|det M| in the standard direction, y = M^-1 h (a dense solve) and
// log|det| = -log|det M| in the Inverse-Flow direction. Gradients of <R, y> + sum log|det|.
void expect_matches_dense(FlowLayer& layer, Direction direction, int64_t channels,
                          const std::function<torch::Tensor()>& dense_matrix) {
  const std::vector<int64_t> shape{2, channels, 4, 4};
  ActNorm norm(channels);
  randomize(norm, 0.3);
  const torch::Tensor x = torch::randn(shape, torch::kDouble), r = torch::randn(shape, torch::kDouble);
  torch::Tensor unused = torch::zeros({2}, torch::kDouble);
  norm.forward(x, unused);  // initialize ActNorm before comparing
  std::vector<torch::Tensor> params = norm.parameters();
  for (const torch::Tensor& p : layer.parameters()) params.push_back(p);

  torch::Tensor logdet = torch::zeros({2}, torch::kDouble);
  const torch::Tensor y = layer.forward(norm.forward(x, logdet), logdet);
  const auto got = torch::autograd::grad({(y * r).sum() + logdet.sum()}, params);

  torch::Tensor logdet_dense = torch::zeros({2}, torch::kDouble);
  const torch::Tensor h = norm.forward(x, logdet_dense).reshape({2, -1});
  const torch::Tensor m = dense_matrix();
  const torch::Tensor m_logdet = std::get<1>(torch::linalg_slogdet(m));
  torch::Tensor y_dense;
  if (direction == Direction::inverse) {
    logdet_dense = logdet_dense - m_logdet;
    y_dense = torch::linalg_solve(m, h.t()).t();
  } else {
    logdet_dense = logdet_dense + m_logdet;
    y_dense = h.matmul(m.t());
  }
  const auto expected = torch::autograd::grad({(y_dense * r.reshape({2, -1})).sum() + logdet_dense.sum()}, params);
  for (size_t i = 0; i < params.size(); ++i) EXPECT_LT(relative(got[i], expected[i]), 1e-10) << "parameter " << i;
}

}  // namespace

TEST(FlowLayers, InverseDirectionGradientsMatchADenseSolve) {
  for (Corner corner : kCorners) {
    SCOPED_TRACE(nfx::kernels::corner_name(corner));
    TriangularConv layer(3, 3, corner, Direction::inverse, layer_generator());
    randomize(layer, 0.3);
    expect_matches_dense(layer, Direction::inverse, 3, [&] { return dense_triangular(layer.kernel(), corner, 3, 4, 4); });
  }
  for (int64_t k : {2, 3}) {
    SCOPED_TRACE("periodic k=" + std::to_string(k));
    PeriodicConv layer(3, k, Direction::inverse, layer_generator());
    randomize(layer, 0.1);
    expect_matches_dense(layer, Direction::inverse, 3, [&] { return dense_periodic(layer.kernel(), 3, 4, 4); });
  }
}

// The FInC unit runs its four quarters as one operation: a block-diagonal matrix of the four corners.
TEST(FlowLayers, FincUnitGradientsMatchADenseMatrixInBothDirections) {
  for (Direction direction : {Direction::standard, Direction::inverse}) {
    SCOPED_TRACE(direction == Direction::inverse ? "inverse" : "standard");
    FincUnit unit(8, 3, direction, layer_generator());
    randomize(unit, 0.3);
    expect_matches_dense(unit, direction, 8, [&] {
      const std::array<torch::Tensor, 4> kernels = unit.kernels();
      std::vector<torch::Tensor> blocks;
      for (int q = 0; q < 4; ++q) blocks.push_back(dense_triangular(kernels[q], finc_corners[q], 2, 4, 4));
      return torch::block_diag(blocks);
    });
  }
}

TEST(FlowModel, EncodeDecodeRoundTripAndShapes) {
  for (const std::string coupling : {"affine", "quad"}) {
    for (const std::string mixing : {"invconv1x1", "finc3", "invconv1x1+finc2", "periodic3", "none"}) {
      for (Direction direction : {Direction::standard, Direction::inverse}) {
        SCOPED_TRACE(coupling + " " + mixing + (direction == Direction::inverse ? " inverse" : ""));
        ModelSpec spec;
        spec.height = spec.width = 8;
        spec.steps = 2;
        spec.hidden = 8;
        spec.coupling = coupling;
        spec.mixing = mixing;
        spec.direction = direction;
        FlowModel model(spec);
        randomize(model, 0.05);
        const torch::Tensor x = torch::rand({3, 1, 8, 8}, torch::kDouble);
        torch::Tensor logdet = torch::zeros({3}, torch::kDouble);
        const std::vector<torch::Tensor> z = model.encode(x, logdet);
        ASSERT_EQ(z.size(), 2u);
        EXPECT_EQ(z[0].sizes(), (std::vector<int64_t>{3, 2, 4, 4}));
        EXPECT_EQ(z[1].sizes(), (std::vector<int64_t>{3, 8, 2, 2}));
        EXPECT_LT(relative(model.decode(z), x), 1e-10);
        EXPECT_EQ(model.sample(5, 1.0, layer_generator()).sizes(), (std::vector<int64_t>{5, 1, 8, 8}));
      }
    }
  }
}

TEST(FlowModel, BadSpecsAreRefusedNamingTheField) {
  ModelSpec spec;
  spec.height = 18;  // not a multiple of 4 for two squeezes
  EXPECT_THROW(check_spec(spec), std::invalid_argument);
  try {
    spec.height = 20;
    spec.mixing = "finc";
    check_spec(spec);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mixing = \"finc\""), std::string::npos) << e.what();
  }
  spec.mixing = "invconv1x1";
  spec.coupling = "quad";
  spec.channels = 1;
  spec.levels = 3;  // level 3 has 4 * (8 - 4) ... channels that are fine; 20 is not divisible by 8
  EXPECT_THROW(check_spec(spec), std::invalid_argument);
}

// Sizes read from a checkpoint are bounded before anything is built: levels = 64 (a shift past 63 bits),
// a huge steps or hidden (issue 13).
TEST(FlowModel, SpecSizesAreBoundedBeforeAnythingIsBuilt) {
  auto refused = [](auto set, const std::string& field) {
    ModelSpec spec;
    set(spec);
    try {
      check_spec(spec);
      return std::string("accepted");
    } catch (const SpecError& e) {
      return e.field() == field ? std::string(e.what()) : "field " + e.field() + ": " + e.what();
    }
  };
  EXPECT_NE(refused([](ModelSpec& s) { s.levels = 64; }, "levels").find("more than 8"), std::string::npos);
  EXPECT_NE(refused([](ModelSpec& s) { s.steps = int64_t{1} << 40; }, "steps").find("more than 256"), std::string::npos);
  EXPECT_NE(refused([](ModelSpec& s) { s.hidden = 4096; s.steps = 256; }, "hidden").find("million weights"),
            std::string::npos);
  EXPECT_EQ(refused([](ModelSpec&) {}, "none"), "accepted");
  // The weight limit is a setting: the default model is refused under a limit of 1,000 weights.
  setenv("NFX_MAX_MODEL_WEIGHTS", "1000", 1);
  const std::string small = refused([](ModelSpec&) {}, "hidden");
  unsetenv("NFX_MAX_MODEL_WEIGHTS");
  EXPECT_NE(small.find("NFX_MAX_MODEL_WEIGHTS"), std::string::npos) << small;
}

// Conditional couplings and models: exactly invertible for a fixed condition, log|det| the Jacobian's in
// x with the condition held, and the condition really changes the map.
TEST(FlowLayers, ConditionalCouplingsInvertAndDependOnTheCondition) {
  std::vector<std::pair<std::string, std::shared_ptr<Coupling>>> couplings{
      {"affine", std::make_shared<AffineCoupling>(4, 8, 3, layer_generator())}, {"quad", std::make_shared<QuadCoupling>(8, 8, 3, layer_generator())}};
  for (auto& [name, coupling] : couplings) {
    SCOPED_TRACE(name);
    randomize(*coupling);
    const int64_t c = name == "affine" ? 4 : 8;
    const torch::Tensor x = torch::randn({1, c, 3, 4}, torch::kDouble), cond = torch::randn({1, 3, 3, 4}, torch::kDouble);
    torch::Tensor logdet = torch::zeros({1}, torch::kDouble);
    const torch::Tensor y = coupling->forward(x, logdet, cond);
    EXPECT_LT(relative(coupling->inverse(y, cond), x), 1e-10);
    torch::Tensor other_logdet = torch::zeros({1}, torch::kDouble);
    EXPECT_GT(relative(coupling->forward(x, other_logdet, cond + 1.0), y), 1e-3) << "the condition must matter";
    const double expected = jacobian_logdet(
        [&](const torch::Tensor& in) {
          torch::Tensor unused = torch::zeros({1}, torch::kDouble);
          return coupling->forward(in, unused, cond);
        },
        x);
    EXPECT_NEAR(logdet.item<double>(), expected, 1e-9 * std::max(1.0, std::fabs(expected)));
    EXPECT_THROW(coupling->forward(x, logdet), c10::Error) << "a conditional coupling needs its condition";
  }
  ModelSpec spec;
  spec.steps = 2;
  spec.hidden = 8;
  spec.condition_channels = 1;
  FlowModel model(spec);
  model.to(torch::kDouble);
  const torch::Tensor x = torch::rand({2, 1, 20, 20}, torch::kDouble), cond = torch::rand({2, 1, 10, 10}, torch::kDouble);
  torch::Tensor logdet = torch::zeros({2}, torch::kDouble);
  model.log_prob(x, cond);  // ActNorm's initialization
  const auto z = model.encode(x, logdet, cond);
  EXPECT_LT(relative(model.decode(z, cond), x), 1e-10);
  EXPECT_THROW(model.log_prob(x), c10::Error) << "a conditional model needs its condition";
}
