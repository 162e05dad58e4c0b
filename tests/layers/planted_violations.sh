#!/usr/bin/env bash
# scripts/check_layers.py on a small tree of the same shape: it passes the tree as it is, and fails, naming
# the file and line, on each kind of violation planted into it.
set -euo pipefail
check=$1
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

make_tree() {
  rm -rf "$tree"/*
  mkdir -p "$tree"/sdk/include/nfx "$tree"/host/include/nfx "$tree"/host/src "$tree"/kernels/include/nfx/kernels \
           "$tree"/lib/training/include/nfx/training "$tree"/lib/training/src "$tree"/plugins/a/nodes "$tree"/plugins/b
  echo '/* the ABI */' > "$tree"/sdk/include/nfx/nfx.h
  echo '#include <nfx/nfx.h>' > "$tree"/host/include/nfx/host.hpp
  echo '#include <nfx/host.hpp>' > "$tree"/host/src/host.cpp
  echo '// math' > "$tree"/kernels/include/nfx/kernels/cpu.hpp
  printf '#include <nfx/nfx.h>\n#include <nfx/kernels/cpu.hpp>\n' > "$tree"/lib/training/include/nfx/training/loop.hpp
  printf '#include <nfx/training/loop.hpp>\n#include <torch/torch.h>\n' > "$tree"/lib/training/src/loop.cpp
  echo '// private to plugin a' > "$tree"/plugins/a/nodes/a_nodes.hpp
  printf '#include "nodes/a_nodes.hpp"\n#include <nfx/training/loop.hpp>\n' > "$tree"/plugins/a/a_plugin.cpp
  echo '// private to plugin b' > "$tree"/plugins/b/b_private.hpp
}

# expect_violation FILE LINE TEXT: append TEXT to FILE (making it line LINE), then the check must fail there.
expect_violation() {
  make_tree
  echo "$3" >> "$tree/$1"
  if out=$(python3 "$check" "$tree"); then
    echo "not caught: $3 in $1"; exit 1
  fi
  grep -q "^$1:$2: " <<< "$out" || { echo "wrong place for $3 in $1: $out"; exit 1; }
  echo "caught: $out"
}

make_tree
python3 "$check" "$tree" || { echo "the clean tree was refused"; exit 1; }
expect_violation plugins/a/a_plugin.cpp 3 '#include <nfx/host.hpp>'              # a plugin sees the host
expect_violation lib/training/src/loop.cpp 3 '#include "../../../plugins/a/nodes/a_nodes.hpp"'  # a library includes a plugin
expect_violation plugins/a/a_plugin.cpp 3 '#include "../b/b_private.hpp"'       # a plugin includes another plugin
expect_violation host/src/host.cpp 2 '#include <torch/torch.h>'                 # LibTorch in the host
expect_violation kernels/include/nfx/kernels/cpu.hpp 2 '#include <nfx/nfx.h>'   # the kernels know the ABI
expect_violation host/src/host.cpp 2 '#include <nfx/training/loop.hpp>'         # the host uses a library
echo "every planted violation was caught"
