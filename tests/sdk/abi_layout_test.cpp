// The ABI is the same struct layout whether a plugin is written in C or C++.
#include <nfx/nfx.h>

#include <gtest/gtest.h>

extern "C" size_t nfx_test_c_sizeof_host_api(void);
extern "C" size_t nfx_test_c_sizeof_node_type(void);
extern "C" size_t nfx_test_c_sizeof_plugin_descriptor(void);

TEST(AbiLayout, CAndCppAgree) {
  EXPECT_EQ(nfx_test_c_sizeof_host_api(), sizeof(nfx_host_api));
  EXPECT_EQ(nfx_test_c_sizeof_node_type(), sizeof(nfx_node_type));
  EXPECT_EQ(nfx_test_c_sizeof_plugin_descriptor(), sizeof(nfx_plugin_descriptor));
}

TEST(AbiLayout, EveryStructStartsWithItsVersionOrSize) {
  EXPECT_EQ(offsetof(nfx_plugin_descriptor, abi_major), 0u);
  EXPECT_EQ(offsetof(nfx_plugin_descriptor, struct_size), 8u);
  EXPECT_EQ(offsetof(nfx_host_api, abi_major), 0u);
  EXPECT_EQ(offsetof(nfx_host_api, struct_size), 8u);
  EXPECT_EQ(offsetof(nfx_node_type, struct_size), 0u);
  EXPECT_EQ(offsetof(nfx_invertible_v1, struct_size), 0u);
  EXPECT_EQ(offsetof(nfx_trainable_v1, struct_size), 0u);
}
