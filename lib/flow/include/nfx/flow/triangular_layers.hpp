// Invertible k x k convolutions as flow layers: one corner (CInC / FInC style, Kc masked lower-triangular
// with a positive diagonal, so it is always invertible) and the FInC unit of four corners on four channel
// quarters.
#pragma once

#include <nfx/flow/flow_layer.hpp>
#include <nfx/flow/triangular_ops.hpp>

namespace nfx::flow {

class TriangularConv : public FlowLayer {
 public:
  TriangularConv(int64_t channels, int64_t kernel_size, kernels::Corner corner, Direction direction,
                 torch::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override;
  torch::Tensor inverse(const torch::Tensor& y) override;
  // The kernel the layer applies: weight with Kc's upper triangle and diagonal masked out, plus
  // exp(log_diagonal) on Kc's diagonal.
  torch::Tensor kernel() const;
  // log|det| of the standard direction on a height x width image.
  torch::Tensor log_abs_det(int64_t height, int64_t width) const;

 private:
  kernels::Corner corner_;
  Direction direction_;
  torch::Tensor weight_, log_diagonal_, mask_, center_eye_;
};

class FincUnit : public FlowLayer {
 public:
  // `channels` must be a multiple of 4.
  FincUnit(int64_t channels, int64_t kernel_size, Direction direction, torch::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override;
  torch::Tensor inverse(const torch::Tensor& y) override;
  // The quarters' kernels, in the order of finc_corners.
  std::array<torch::Tensor, 4> kernels() const;

 private:
  Direction direction_;
  std::vector<std::shared_ptr<TriangularConv>> quarters_;
};

}  // namespace nfx::flow
