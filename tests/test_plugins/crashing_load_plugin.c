/* A plugin that takes down whatever process loads it, one way per build (see CMakeLists.txt):
 *   TYPE_COUNT, PORT_COUNT, PARAM_COUNT: its descriptor declares more node types, ports or parameters
 *     than its arrays hold, and the arrays end where an unreadable page begins, so reading past them
 *     faults every time (a count within the host's sanity limits, which only a child process survives);
 *   CRASH_ON_OPEN: a constructor that runs inside dlopen dereferences NULL;
 *   HANG: the entry point never returns. */
#include "noop_node.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const nfx_port_desc output = {"value", "nothing", NFX_KIND_SCALAR, 0, -1, 0};

static nfx_node_type node = {
    .struct_size = sizeof(nfx_node_type),
    .id = "crashing.node",
    .doc = "never used",
    .output_count = 1,
    .outputs = &output,
    .create = noop_create,
    .process = noop_process,
    .destroy = noop_destroy,
    .port_size = sizeof(nfx_port_desc),
    .param_size = sizeof(nfx_param_desc),
};
static const nfx_node_type* types[1] = {&node};

static nfx_plugin_descriptor descriptor = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), "crashing",
                                           "0.1.0", "crashes whoever loads it", 1, types, NULL};

/* `size` bytes copied to the very end of a readable page that an unreadable one follows. */
__attribute__((unused)) static void* at_end_of_page(const void* data, size_t size) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  char* pages = (char*)mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) return NULL;
  mprotect(pages + page, page, PROT_NONE);
  char* place = pages + page - size;
  memcpy(place, data, size);
  return place;
}

#if defined(CRASH_ON_OPEN)
__attribute__((constructor)) static void crash_while_opening(void) {
  static int* volatile nowhere = NULL; /* volatile: the compiler cannot know it is NULL */
  *nowhere = 1;
}
#endif

__attribute__((visibility("default"))) const nfx_plugin_descriptor* nfx_plugin_entry(void) {
#if defined(HANG)
  for (;;) pause();
#endif
#if defined(TYPE_COUNT)
  descriptor.node_type_count = 100;
  descriptor.node_types = (const nfx_node_type* const*)at_end_of_page(types, sizeof types);
#elif defined(PORT_COUNT)
  node.output_count = 200;
  node.outputs = (const nfx_port_desc*)at_end_of_page(&output, sizeof output);
#elif defined(PARAM_COUNT)
  static const nfx_param_desc param = {"p", "a parameter", NFX_PARAM_INT, 0, 0, 0, NULL, 1, 0, NULL};
  node.param_count = 300;
  node.params = (const nfx_param_desc*)at_end_of_page(&param, sizeof param);
#endif
  return &descriptor;
}
