// Choosing the instruction-set variant: the CPU's features (cpuid, with the OS's register-state support,
// through GCC's __builtin_cpu_supports), overridden by NFX_CPU or set_cpu_variant.
#include "nfx/kernels/cpu.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace nfx::kernels {

namespace {

constexpr CpuVariant kVariants[] = {CpuVariant::baseline, CpuVariant::avx2, CpuVariant::avx512};

bool cpu_runs(CpuVariant variant) {
  switch (variant) {
    case CpuVariant::baseline: return true;
#if NFX_KERNELS_X86_VARIANTS
    case CpuVariant::avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CpuVariant::avx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    default: return false;
  }
}

std::string variant_list() {
  std::string list;
  for (CpuVariant v : supported_cpu_variants()) list += (list.empty() ? "" : ", ") + std::string(cpu_variant_name(v));
  return list;
}

// The variant from the environment, or an error message for a bad NFX_CPU.
struct Choice {
  CpuVariant variant = CpuVariant::baseline;
  bool forced = false;
  std::string error;
};

Choice choose_from_environment() {
  Choice choice;
  choice.variant = supported_cpu_variants().back();
  const char* env = std::getenv("NFX_CPU");
  if (env == nullptr || *env == '\0') return choice;
  for (CpuVariant v : kVariants) {
    if (std::string(env) != cpu_variant_name(v)) continue;
    if (!cpu_runs(v)) {
      choice.error = std::string("NFX_CPU=") + env + ", but this CPU (or this build) cannot run the " + env +
                     " kernels; it runs: " + variant_list() + ". Unset NFX_CPU or choose one of those";
    }
    choice.variant = v;
    choice.forced = true;
    return choice;
  }
  choice.error = std::string("NFX_CPU=") + env + " is not a kernel variant; use baseline, avx2 or avx512 (this CPU runs: " +
                 variant_list() + "), or unset it";
  return choice;
}

const Choice& environment_choice() {
  static const Choice choice = choose_from_environment();
  return choice;
}

// -1 until set_cpu_variant is called.
std::atomic<int> g_override{-1};

}  // namespace

const char* cpu_variant_name(CpuVariant variant) {
  switch (variant) {
    case CpuVariant::baseline: return "baseline";
    case CpuVariant::avx2: return "avx2";
    case CpuVariant::avx512: return "avx512";
  }
  return "?";
}

std::vector<CpuVariant> supported_cpu_variants() {
  std::vector<CpuVariant> out;
  for (CpuVariant v : kVariants) {
    if (cpu_runs(v)) out.push_back(v);
  }
  return out;
}

CpuVariant cpu_variant() {
  const int forced = g_override.load(std::memory_order_relaxed);
  if (forced >= 0) return static_cast<CpuVariant>(forced);
  const Choice& choice = environment_choice();
  if (!choice.error.empty()) throw std::runtime_error(choice.error);
  return choice.variant;
}

void set_cpu_variant(CpuVariant variant) {
  if (!cpu_runs(variant)) {
    throw std::invalid_argument(std::string("this CPU (or this build) cannot run the ") + cpu_variant_name(variant) +
                                " kernels; it runs: " + variant_list());
  }
  g_override.store(static_cast<int>(variant), std::memory_order_relaxed);
}

std::string cpu_variant_summary() {
  const int forced = g_override.load(std::memory_order_relaxed);
  if (forced >= 0) return std::string(cpu_variant_name(static_cast<CpuVariant>(forced))) + " (set by the program)";
  const Choice& choice = environment_choice();
  if (!choice.error.empty()) return choice.error;
  if (choice.forced) return std::string(cpu_variant_name(choice.variant)) + " (forced by NFX_CPU; this CPU runs: " +
                            variant_list() + ")";
  return std::string(cpu_variant_name(choice.variant)) + " (the best this CPU supports; NFX_CPU overrides)";
}

}  // namespace nfx::kernels
