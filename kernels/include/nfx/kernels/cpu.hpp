// The instruction-set variants of the CPU kernels. Every hot loop is compiled once per variant, with its
// own vector width and register blocking; one is chosen at run time from the CPU's features, so a binary
// built anywhere runs everywhere (and runs fast from AVX2 up).
#pragma once

#include <string>
#include <vector>

namespace nfx::kernels {

enum class CpuVariant {
  baseline,  // SSE2 on x86-64 (any x86-64 CPU); the compiler's default elsewhere
  avx2,      // AVX2 + FMA (x86-64-v3: Haswell, Zen and later)
  avx512,    // AVX-512 F/BW/DQ/VL (x86-64-v4: Skylake-SP, Ice Lake, Zen 4 and later)
};

const char* cpu_variant_name(CpuVariant variant);

// The variants this build has and this CPU can run, baseline first.
std::vector<CpuVariant> supported_cpu_variants();

// The variant the kernels run: set_cpu_variant's, else the one the environment variable NFX_CPU names
// (baseline, avx2 or avx512), else the best supported. Throws std::runtime_error, saying what to do, when
// NFX_CPU names an unknown variant or one this CPU cannot run. Thread-safe.
CpuVariant cpu_variant();

// Makes every later kernel call in this process use `variant` (tests and benchmarks run each one).
// Throws std::invalid_argument when this CPU cannot run it.
void set_cpu_variant(CpuVariant variant);

// One line for people: the variant in use and why, e.g. "avx2 (the best this CPU supports; NFX_CPU
// overrides)", or what is wrong with NFX_CPU. Never throws.
std::string cpu_variant_summary();

}  // namespace nfx::kernels
