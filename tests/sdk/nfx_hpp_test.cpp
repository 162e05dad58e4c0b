// nfx.hpp as a plugin author uses it, observed through the host: exceptions become status + message at
// the boundary, extensions are found by id, tensors are freed by their deleter.
#include "test_support.hpp"

#include <nfx/nfx.hpp>

using nfx::test::make_host;

namespace {

nfx::RunError run_failing(const std::string& mode) {
  auto host = make_host();
  auto graph = host->parse_graph(R"(
[nodes.src]
type = "core.constant"
count = 3
[nodes.fail]
type = "test.fail"
in.value = "src.tensor"
fail_at = 1
mode = ")" + mode + "\"\n", "fail.toml");
  try {
    graph.run({});
  } catch (const nfx::RunError& e) {
    return e;
  }
  ADD_FAILURE() << "the run did not fail";
  return nfx::RunError("", 0, "", -1, "");
}

}  // namespace

TEST(NfxHpp, NfxErrorKeepsItsStatusAndMessage) {
  nfx::RunError e = run_failing("nfx_error");
  EXPECT_EQ(e.status(), NFX_ERR_IO);
  EXPECT_NE(std::string(e.what()).find("deliberate failure"), std::string::npos) << e.what();
  EXPECT_EQ(e.node(), "fail");
  EXPECT_EQ(e.item(), 1);
}

TEST(NfxHpp, StdExceptionBecomesInternalError) {
  nfx::RunError e = run_failing("runtime_error");
  EXPECT_EQ(e.status(), NFX_ERR_INTERNAL);
  EXPECT_NE(std::string(e.what()).find("deliberate runtime_error"), std::string::npos) << e.what();
}

// The user sees the message, not the C++ stack trace LibTorch appends to it (issue 13).
TEST(NfxHpp, AStackTraceAfterTheMessageIsLeftOut) {
  const std::string message = run_failing("stack_trace").what();
  EXPECT_NE(message.find("deliberate failure with a trace"), std::string::npos) << message;
  EXPECT_EQ(message.find("frame #"), std::string::npos) << message;
  EXPECT_EQ(message.find("Exception raised from"), std::string::npos) << message;
}

TEST(NfxHpp, BadAllocBecomesOutOfMemory) {
  EXPECT_EQ(run_failing("bad_alloc").status(), NFX_ERR_OUT_OF_MEMORY);
}

TEST(NfxHpp, NonStandardThrowIsCaughtToo) {
  nfx::RunError e = run_failing("int");
  EXPECT_EQ(e.status(), NFX_ERR_INTERNAL);
  EXPECT_NE(std::string(e.what()).find("unknown exception"), std::string::npos);
}

TEST(NfxHpp, DescriptorsCarryPortsParamsAndFlags) {
  auto host = make_host();
  const nfx_node_type* resize = host->node_type("io.resize");
  ASSERT_NE(resize, nullptr);
  ASSERT_EQ(resize->input_count, 1u);
  EXPECT_EQ(resize->inputs[0].kind, static_cast<nfx_port_kind>(NFX_KIND_IMAGE));
  EXPECT_EQ(resize->inputs[0].dtypes, NFX_DTYPE_U8);
  EXPECT_EQ(resize->inputs[0].rank, 3);
  EXPECT_TRUE(resize->flags & NFX_NODE_REENTRANT);
  bool found_width = false;
  for (uint32_t i = 0; i < resize->param_count; ++i) {
    if (std::string(resize->params[i].name) == "width") {
      found_width = true;
      EXPECT_EQ(resize->params[i].type, static_cast<nfx_param_type>(NFX_PARAM_INT));
      EXPECT_EQ(resize->params[i].max, 65535);
    }
  }
  EXPECT_TRUE(found_width);
  const nfx_node_type* video = host->node_type("io.write_video");
  ASSERT_NE(video, nullptr);
  EXPECT_TRUE(video->flags & NFX_NODE_ORDERED);
  // Plain nodes expose no extension.
  EXPECT_EQ(resize->extension(NFX_EXT_INVERTIBLE), nullptr);
  EXPECT_EQ(resize->extension(NFX_EXT_TRAINABLE), nullptr);
}

TEST(NfxHpp, DtypeHelpersNameTypes) {
  EXPECT_EQ(nfx::dtype_bit(nfx::dtype_f32()), NFX_DTYPE_F32);
  EXPECT_EQ(nfx::dtype_bit(nfx::dtype_u8()), NFX_DTYPE_U8);
  EXPECT_EQ(nfx::dtype_name(nfx::dtype_f64()), "float64");
  EXPECT_EQ(nfx::dtype_bit(DLDataType{kDLFloat, 32, 4}), 0u);  // vector lanes are not an nfx dtype
}

// A shape whose byte size would wrap around (or is negative) is refused before anything is allocated.
TEST(NfxHpp, TensorSizesThatWouldWrapAreRefused) {
  EXPECT_EQ(nfx::tensor_bytes(nfx::dtype_f32(), {2, 3, 4}), 96u);
  EXPECT_EQ(nfx::tensor_bytes(nfx::dtype_u8(), {}), 1u);
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{
           {int64_t{1} << 62}, {int64_t{1} << 31, int64_t{1} << 31, 8}, {4, -1}, {INT64_MAX, 2}}) {
    try {
      nfx::Tensor t(nfx::dtype_f32(), shape);
      ADD_FAILURE() << "allocated a tensor of " << shape.size() << " dimensions";
    } catch (const nfx::Error& e) {
      EXPECT_EQ(e.status(), NFX_ERR_OUT_OF_MEMORY);
      EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
    }
  }
}
