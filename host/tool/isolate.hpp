// nfx run --isolate: the run happens in a worker process, this program again without --isolate. When a
// node crashes the worker, this process says which node and which item; when that node has
// on_error = "skip", it starts a new worker that leaves the crashed items out, until the run ends.
#pragma once

#include <string>
#include <vector>

namespace nfx::tool {

// `worker_args`: this program's command line without --isolate. Returns the exit status for the user.
int run_isolated(const std::vector<std::string>& worker_args);

}  // namespace nfx::tool
