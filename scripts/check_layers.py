#!/usr/bin/env python3
"""Fails on any #include that breaks the tiers of docs/architecture.md.

    python3 scripts/check_layers.py [ROOT]     (ROOT: the repository, by default this script's parent)

The tiers, from the bottom: sdk/ (the C ABI), kernels/ (the convolution math), host/, lib/ (the libraries
plugins link), plugins/. Each file may include:
  sdk/        sdk/ only
  kernels/    kernels/ only
  host/       host/, sdk/ (a plugin's headers never: the host knows plugins only through the ABI)
  lib/        lib/, sdk/, kernels/ (never a plugin's files, never the host)
  plugins/P/  its own folder, lib/, sdk/, kernels/ (never the host, never another plugin's files)
  tests/, bench/, fuzz/, examples/, python/: anything (they test and measure the tiers from outside)
and LibTorch (<torch/...>, <ATen/...>, <c10/...>) only in lib/, plugins/, python/, bench/, tests/ and
examples/ (the out-of-tree model plugin). Prints every violation as FILE:LINE: message and exits 1.
"""
import os
import re
import sys

SOURCE_EXTENSIONS = (".c", ".cc", ".cpp", ".cu", ".cuh", ".h", ".hpp")
CHECKED = ("sdk", "kernels", "host", "lib", "plugins")
TORCH_ALLOWED = ("lib", "plugins", "python", "bench", "tests", "examples")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TORCH = ("torch/", "ATen/", "c10/")


def tier(relative):
    """('plugins', 'sr') for plugins/sr/..., ('lib', 'training') for lib/..., ('host', '') ..."""
    parts = relative.split(os.sep)
    if parts[0] in ("plugins", "lib") and len(parts) > 2:
        return parts[0], parts[1]
    return parts[0], ""


def include_dirs(root):
    """Folders whose files are reached as <nfx/...>: every include/ folder of a tier."""
    dirs = []
    for top in CHECKED:
        for base, subdirs, _ in os.walk(os.path.join(root, top)):
            if os.path.basename(base) == "include":
                dirs.append(base)
                subdirs[:] = []
    return dirs


def resolve(root, source, quote, name, dirs):
    """The repository-relative path the include names, or None when it is outside the repository."""
    candidates = []
    if quote == '"':  # beside the file, then from the root of its library or plugin ("model/net.hpp")
        top, name_of_tier = tier(os.path.relpath(source, root))
        candidates = [os.path.join(os.path.dirname(source), name), os.path.join(root, top, name_of_tier, name)]
    candidates += [os.path.join(d, name) for d in dirs]
    for c in candidates:
        if os.path.isfile(c):
            return os.path.relpath(os.path.normpath(c), root)
    return None


def allowed(source_tier, target_tier):
    top, name = source_tier
    target_top, target_name = target_tier
    if top == "sdk":
        return target_top == "sdk"
    if top == "kernels":
        return target_top == "kernels"
    if top == "host":
        return target_top in ("host", "sdk")
    if top == "lib":
        return target_top in ("lib", "sdk", "kernels")
    if top == "plugins":
        return (target_top == "plugins" and target_name == name) or target_top in ("lib", "sdk", "kernels")
    return True


def describe(t):
    return t[0] + ("/" + t[1] if t[1] else "")


def check(root):
    dirs = include_dirs(root)
    problems = []
    for top in CHECKED + ("python", "bench", "tests", "fuzz", "examples"):
        for base, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith(SOURCE_EXTENSIONS):
                    continue
                path = os.path.join(base, f)
                relative = os.path.relpath(path, root)
                source_tier = tier(relative)
                with open(path, encoding="utf-8", errors="replace") as text:
                    for number, line in enumerate(text, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        quote, name = m.groups()
                        where = relative + ":" + str(number) + ": "
                        if name.startswith(TORCH) and source_tier[0] not in TORCH_ALLOWED:
                            problems.append(where + "LibTorch (" + name + ") in " + source_tier[0] +
                                            "/: LibTorch belongs in lib/, plugins/, python/, bench/ and tests/ only")
                            continue
                        target = resolve(root, path, quote, name, dirs)
                        if target is None:
                            continue  # a system or third-party header
                        target_tier = tier(target)
                        if not allowed(source_tier, target_tier):
                            problems.append(where + describe(source_tier) + " includes " + target + " (" +
                                            describe(target_tier) + "): not allowed; docs/architecture.md says "
                                            "which tier may include which")
    return problems


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(str(len(problems)) + " include(s) break the tiers", file=sys.stderr)
        return 1
    print("layers: every include keeps to its tier")
    return 0


if __name__ == "__main__":
    sys.exit(main())
