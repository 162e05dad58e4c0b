/* create, process and destroy functions that do nothing, for the test plugins whose nodes only need to
 * exist (the host refuses or crashes on them before anything runs). */
#ifndef NFX_TEST_NOOP_NODE_H
#define NFX_TEST_NOOP_NODE_H

#include <nfx/nfx.h>

#include <stddef.h>

static nfx_status noop_create(nfx_context* ctx, void** instance) {
  (void)ctx;
  *instance = NULL;
  return NFX_OK;
}
static nfx_status noop_process(void* instance, nfx_context* ctx) {
  (void)instance;
  (void)ctx;
  return NFX_OK;
}
static void noop_destroy(void* instance) { (void)instance; }

#endif
