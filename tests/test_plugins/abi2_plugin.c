/* A plugin that claims ABI 2.0: the host must refuse it without touching anything past the header. */
#include <nfx/nfx.h>

static const nfx_plugin_descriptor descriptor = {2, 0, sizeof(nfx_plugin_descriptor), "future", "2.0.0",
                                                 "built for a newer host", 0, 0, 0};

NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) { return &descriptor; }
