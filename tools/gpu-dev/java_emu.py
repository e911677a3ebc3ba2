"""The Java CUDA backend on the CPU emulator: builds every family of cuda-kernels/ (part 1 and part 2) with the
emulator (emu/, one fiber per CUDA thread) into a stand-in libcuda.so.1 whose driver API runs on host memory
(emu/fake_cuda.cpp) and whose cuBLASLt does the GEMMs on the CPU (emu/fake_cublaslt.cpp), then runs the given
*GpuIT classes against it. The Java side is the real one: CudaBackend's launchers pack the real arguments into
cuLaunchKernel's parameter array, and the kernels' own code reads them. So argument order and types, grids,
dynamic shared memory, scratch sizes and multi-kernel compositions are checked before a GPU call is spent; timing,
asynchronous copies and the GPU's rounding are not (see emu.py).

    /tmp/oracle/bin/python tools/gpu-dev/java_emu.py build [OUT_DIR]        # prints the library directory
    /tmp/oracle/bin/python tools/gpu-dev/java_emu.py test ConformanceGpuIT,CudaSpecificGpuIT   # mvn verify against it
Build: about a minute of g++ on two cores; cached by the hash of the sources.
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNELS = os.path.join(ROOT, "cuda-kernels")
EMU = os.path.join(HERE, "emu")
NVCC = os.environ.get("NVCC", "nvcc")
sys.path.insert(0, HERE)
import emu  # noqa: E402
import signatures  # noqa: E402


def raw_kernels(preprocessed):
    """{name: [C type of each parameter]} of the extern "C" __global__ definitions (types without names)."""
    out = {}
    for name, params in signatures.kernel_params(preprocessed).items():
        types = []
        for p in params:
            decl = " ".join(re.sub(r"\b__restrict__\b", "", p).replace("*", " * ").split())
            types.append(" ".join(decl.split(" ")[:-1]).replace(" *", "*"))
        out[name] = types
    return out


def build(out_dir=None):
    files = sorted(f for f in os.listdir(KERNELS) if f.endswith(".cu"))
    srcs = {f: open(os.path.join(KERNELS, f)).read() for f in files}
    srcs.update({f: open(os.path.join(KERNELS, f)).read() for f in ("common.cuh", "tile_common.cuh")})
    for f in ("cuda_shim.h", "common_shim.h", "runtime.cpp", "fake_cuda.cpp", "fake_cublaslt.cpp"):
        srcs["emu/" + f] = open(os.path.join(EMU, f)).read()
    srcs["java_emu.py"] = open(os.path.abspath(__file__)).read()
    key = hashlib.sha256(repr(sorted(srcs.items())).encode()).hexdigest()[:16]
    out = out_dir or os.path.join(tempfile.gettempdir(), f"pm-java-emu-{key}")
    lib = os.path.join(out, "libcuda.so.1")
    if os.path.exists(lib):
        return out
    os.makedirs(out, exist_ok=True)
    for f in ("cuda_shim.h", "common_shim.h", "runtime.cpp", "fake_cuda.cpp", "fake_cublaslt.cpp"):
        open(os.path.join(out, f), "w").write(srcs["emu/" + f])
    open(os.path.join(out, "tile_common.cuh"), "w").write('#pragma once\n#include "cuda_shim.h"\n')
    open(os.path.join(out, "common.cuh"), "w").write(
        srcs["common.cuh"].replace("#include <cuda_bf16.h>\n#include <cuda_fp16.h>\n", '#include "common_shim.h"\n'))
    names = []
    cpps = ["runtime.cpp", "fake_cuda.cpp", "fake_cublaslt.cpp", "launchers.cpp"]
    for f in files:
        kernels = raw_kernels(signatures.preprocess(NVCC, os.path.join(KERNELS, f)))
        wrappers = [f'extern "C" void emu_call_{n}(void** a) {{ {n}('
                    + ", ".join(f"*({t}*)a[{i}]" for i, t in enumerate(types)) + "); }"
                    for n, types in kernels.items()]
        cpp = f.replace(".cu", ".cpp")
        open(os.path.join(out, cpp), "w").write(emu.rewrite(srcs[f]) + "\n// emulator entry points\n" + "\n".join(wrappers) + "\n")
        cpps.append(cpp)
        names += list(kernels)
    table = ['#include "cuda_shim.h"', "struct EmuKernel { const char* name; void (*call)(void**); };"]
    table += [f'extern "C" void emu_call_{n}(void**);' for n in names]
    table += ["extern const EmuKernel emu_kernels[] = {"] + [f'    {{"{n}", emu_call_{n}}},' for n in names] + ["};"]
    table += [f"extern const int emu_kernel_count = {len(names)};"]
    open(os.path.join(out, "launchers.cpp"), "w").write("\n".join(table) + "\n")
    procs = [subprocess.Popen(["g++", "-std=c++17", "-O2", "-fno-strict-aliasing", "-fPIC", "-c", "-Wno-unused-function", "-o",
                               c.replace(".cpp", ".o"), c], cwd=out, stderr=subprocess.PIPE, text=True) for c in cpps]
    failed = [(p.args[-1], p.communicate()[1]) for p in procs]
    failed = [(c, e) for (c, e), p in zip(failed, procs) if p.returncode != 0]
    if failed:
        raise RuntimeError("emulated device build failed:\n" + "\n".join(f"{c}:\n{e[-3000:]}" for c, e in failed))
    subprocess.run(["g++", "-shared", "-o", "libcuda.so.1", *[c.replace(".cpp", ".o") for c in cpps]], cwd=out, check=True)
    os.symlink("libcuda.so.1", os.path.join(out, "libcublasLt.so.13"))
    print(f"[emu] {len(names)} kernels of {len(files)} families -> {lib}", file=sys.stderr)
    return out


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("build", "test"):
        sys.exit(__doc__)
    if sys.argv[1] == "build":
        print(build(sys.argv[2] if len(sys.argv) > 2 else None))
        return
    libdir = build()
    tests = sys.argv[2] if len(sys.argv) > 2 else "*GpuIT"
    env = dict(os.environ, LD_LIBRARY_PATH=libdir + ":" + os.environ.get("LD_LIBRARY_PATH", ""),
               PULSEMIND_REQUIRE_GPU="1", PULSEMIND_EMULATED_GPU="1")
    cmd = ["mvn", "-q", "-B", "-o", "-pl", "java", "verify", "-Dtest=NoUnitTests", "-Dsurefire.failIfNoSpecifiedTests=false",
           f"-Dit.test={tests}", "-Dfailsafe.failIfNoSpecifiedTests=false"]
    sys.exit(subprocess.run(cmd, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
