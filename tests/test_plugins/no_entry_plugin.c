/* A shared library named like a plugin that does not export nfx_plugin_entry. */
int nfx_not_the_entry(void) { return 42; }
