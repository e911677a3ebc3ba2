"""Builds the kernels of cuda-kernels/ for the CPU emulator (emu/cuda_shim.h + emu/runtime.cpp, g++) and
offers EmuDriver, a drop-in for cudrv.Driver that runs launches there on host memory (CPU torch tensors).

The kernel sources are compiled as written, except that `extern __shared__` declarations become pointers into
the emulated dynamic shared memory. The library is cached by the hash of its sources.
"""
import ctypes
import hashlib
import os
import re
import subprocess
import tempfile

import build
import cudrv
import signatures

HERE = os.path.dirname(os.path.abspath(__file__))
EMU_DIR = os.path.join(HERE, "emu")
C_TYPES = {"ptr": "void*", "int": "int", "unsigned": "unsigned", "float": "float", "long long": "long long",
           "unsigned long long": "unsigned long long"}


def rewrite(src):
    """`extern __shared__ [__align__(n)] T name[];` -> a pointer into the emulated dynamic shared memory."""
    return re.sub(r"extern\s+__shared__\s+(?:__align__\(\d+\)\s+)?([A-Za-z_][\w ]*?)\s+(\w+)\[\];",
                  r"\1* \2 = reinterpret_cast<\1*>(emu_dynamic_smem());", src)


def launchers(sigs):
    lines = ['#include "cuda_shim.h"']
    for name, kinds in sigs.items():
        lines.append(f'extern "C" void {name}({", ".join(C_TYPES[k] for k in kinds)});')
        args = ", ".join(f"*({C_TYPES[k]}*)a[{i}]" for i, k in enumerate(kinds))
        lines.append(f"static void call_{name}(void** a) {{ {name}({args}); }}")
    lines.append("struct EmuKernel { const char* name; void (*call)(void**); };")
    lines.append("extern const EmuKernel emu_kernels[] = {")
    lines += [f'    {{"{n}", call_{n}}},' for n in sigs]
    lines.append("};")
    lines.append(f"extern const int emu_kernel_count = {len(sigs)};")
    return "\n".join(lines) + "\n"


def build_library(nvcc, files=None, cache_dir=None):
    files = files or build.DEFAULT_FILES
    srcs = {f: open(os.path.join(build.KERNEL_DIR, f)).read() for f in files}
    emu_srcs = {f: open(os.path.join(EMU_DIR, f)).read() for f in ("cuda_shim.h", "runtime.cpp")}
    key = hashlib.sha256(repr(sorted(srcs.items()) + sorted(emu_srcs.items())).encode()).hexdigest()[:16]
    out_dir = os.path.join(cache_dir or tempfile.gettempdir(), f"pm-emu-{key}")
    lib = os.path.join(out_dir, "libpmemu.so")
    if os.path.exists(lib):
        return lib
    os.makedirs(out_dir, exist_ok=True)
    sigs = {}
    for f in files:
        sigs.update(signatures.signatures_of(nvcc, os.path.join(build.KERNEL_DIR, f)))
    for name, text in emu_srcs.items():
        open(os.path.join(out_dir, name), "w").write(text)
    open(os.path.join(out_dir, "tile_common.cuh"), "w").write('#pragma once\n#include "cuda_shim.h"\n')
    cpps = ["runtime.cpp", "launchers.cpp"]
    open(os.path.join(out_dir, "launchers.cpp"), "w").write(launchers(sigs))
    for f, text in srcs.items():
        cpp = f.replace(".cu", ".cpp")
        open(os.path.join(out_dir, cpp), "w").write(rewrite(text))
        cpps.append(cpp)
    objs = []
    procs = []
    for cpp in cpps:
        obj = cpp.replace(".cpp", ".o")
        objs.append(obj)
        procs.append(subprocess.Popen(["g++", "-std=c++17", "-O1", "-g", "-fPIC", "-c", "-Wno-unused-function",
                                       "-o", obj, cpp], cwd=out_dir, stderr=subprocess.PIPE, text=True))
    errs = [(p.args[-1], p.communicate()[1]) for p in procs]
    failed = [(c, e) for (c, e), p in zip(errs, procs) if p.returncode != 0]
    if failed:
        raise RuntimeError("emulator build failed:\n" + "\n".join(f"{c}:\n{e[-4000:]}" for c, e in failed))
    subprocess.run(["g++", "-shared", "-o", "libpmemu.so", *objs], cwd=out_dir, check=True)
    return lib


class EmuDriver:
    """cudrv.Driver's interface over the emulator library; tensors must be CPU tensors."""

    def __init__(self, lib_path):
        self.lib = ctypes.CDLL(lib_path)
        self.lib.emu_launch.argtypes = [ctypes.c_char_p] + [ctypes.c_uint] * 7 + [ctypes.POINTER(ctypes.c_void_p)]
        self.lib.emu_launch.restype = ctypes.c_int
        self.lib.emu_error.restype = ctypes.c_char_p
        self.launches = []

    def version(self):
        return "emulator"

    def ensure_context(self):
        return 0

    def max_smem_optin(self):
        return 227 * 1024

    def function(self, module, name, types):
        return cudrv.DryFunction(self, name, name, types)

    def launch(self, fn, grid, block, smem, stream, args):
        values = cudrv.pack_args(fn.name, fn.types, args)
        g = tuple(grid) + (1,) * (3 - len(grid))
        b = tuple(block) + (1,) * (3 - len(block))
        if min(g) < 1 or smem > self.max_smem_optin():
            raise cudrv.CudaError(f"{fn.name}: bad launch grid {g} smem {smem}")
        params = (ctypes.c_void_p * len(values))(*[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in values])
        rc = self.lib.emu_launch(fn.name.encode(), *g, *b, smem, params)
        self.launches.append((fn.name, g, b, smem))
        if rc != 0:
            raise cudrv.CudaError(f"{fn.name}: emulator: {self.lib.emu_error().decode()}")

    def synchronize(self):
        pass
