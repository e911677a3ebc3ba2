"""Minimal ctypes binding of the CUDA driver API (libcuda.so.1): load a fatbin, find kernels, launch them.

The kernels run in the context PyTorch already made current (its primary context), on PyTorch's current
stream, so kernel launches and torch ops are ordered and CUDA events time both. Every call is checked with its
name. Argument types come from the kernels' own C signatures (see signatures.py), and when the driver offers
cuFuncGetParamInfo (CUDA 12.4+) the packed sizes are checked against the compiled kernel too.

`DryDriver` stands in for the driver on a machine without a GPU: launches are checked for argument count and
types and recorded, optionally handed to a Python emulation of the kernel (selftest_cpu.py).
"""
import ctypes
from ctypes import POINTER, byref, c_int, c_size_t, c_uint, c_void_p

# C parameter type -> ctypes type used to pack it.
CTYPES = {
    "ptr": ctypes.c_uint64,
    "int": ctypes.c_int32,
    "unsigned": ctypes.c_uint32,
    "float": ctypes.c_float,
    "long long": ctypes.c_int64,
    "unsigned long long": ctypes.c_uint64,
}

CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0
CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1
CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3
CU_FUNC_ATTRIBUTE_NUM_REGS = 4
CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8
CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97


class CudaError(RuntimeError):
    pass


def pointer_value(x):
    """A device address from a torch tensor, an int, or None (null)."""
    if x is None:
        return 0
    if isinstance(x, int):
        return x
    return x.data_ptr()


def pack_args(name, types, args):
    """ctypes values for the kernel's parameters, checking count and kinds."""
    if len(types) != len(args):
        raise TypeError(f"{name}: {len(args)} arguments for {len(types)} parameters {types}")
    values = []
    for i, (t, a) in enumerate(zip(types, args)):
        if t == "ptr":
            if isinstance(a, (float, bool)):
                raise TypeError(f"{name}: parameter {i} is a pointer, got {a!r}")
            values.append(CTYPES[t](pointer_value(a)))
        elif t == "float":
            if not isinstance(a, (int, float)) or isinstance(a, bool):
                raise TypeError(f"{name}: parameter {i} is a float, got {a!r}")
            values.append(CTYPES[t](float(a)))
        else:
            if not isinstance(a, int) or isinstance(a, bool):
                raise TypeError(f"{name}: parameter {i} is {t}, got {a!r}")
            values.append(CTYPES[t](a))
    return values


class Function:
    def __init__(self, driver, handle, name, types):
        self.driver, self.handle, self.name, self.types = driver, handle, name, types
        self.dynamic_smem_set = 0

    def attribute(self, attr):
        v = c_int()
        self.driver.check(self.driver.lib.cuFuncGetAttribute(byref(v), attr, self.handle), "cuFuncGetAttribute")
        return v.value

    def resources(self):
        return {
            "regs": self.attribute(CU_FUNC_ATTRIBUTE_NUM_REGS),
            "static_smem": self.attribute(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES),
            "local_bytes": self.attribute(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES),
            "max_threads": self.attribute(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
        }

    def check_param_sizes(self):
        """Compares the packed sizes with the compiled kernel's parameter sizes, where the driver can say."""
        fn = getattr(self.driver.lib, "cuFuncGetParamInfo", None)
        if fn is None:
            return "cuFuncGetParamInfo absent"
        sizes = []
        for i in range(len(self.types) + 1):
            off, size = c_size_t(), c_size_t()
            rc = fn(self.handle, c_size_t(i), byref(off), byref(size))
            if rc != 0:
                break
            sizes.append(size.value)
        want = [ctypes.sizeof(CTYPES[t]) for t in self.types]
        if sizes != want:
            raise CudaError(f"{self.name}: compiled parameter sizes {sizes} != signature sizes {want} {self.types}")
        return "ok"

    def launch(self, grid, block, smem, stream, *args):
        self.driver.launch(self, grid, block, smem, stream, args)


class Driver:
    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")
        L = self.lib
        L.cuGetErrorName.argtypes = [c_int, POINTER(ctypes.c_char_p)]
        L.cuGetErrorString.argtypes = [c_int, POINTER(ctypes.c_char_p)]
        L.cuInit.argtypes = [c_uint]
        L.cuDriverGetVersion.argtypes = [POINTER(c_int)]
        L.cuCtxGetCurrent.argtypes = [POINTER(c_void_p)]
        L.cuCtxSetCurrent.argtypes = [c_void_p]
        L.cuCtxGetDevice.argtypes = [POINTER(c_int)]
        L.cuDeviceGet.argtypes = [POINTER(c_int), c_int]
        L.cuDeviceGetAttribute.argtypes = [POINTER(c_int), c_int, c_int]
        L.cuDevicePrimaryCtxRetain.argtypes = [POINTER(c_void_p), c_int]
        L.cuModuleLoadData.argtypes = [POINTER(c_void_p), c_void_p]
        L.cuModuleGetFunction.argtypes = [POINTER(c_void_p), c_void_p, ctypes.c_char_p]
        L.cuFuncGetAttribute.argtypes = [POINTER(c_int), c_int, c_void_p]
        L.cuFuncSetAttribute.argtypes = [c_void_p, c_int, c_int]
        L.cuLaunchKernel.argtypes = [c_void_p, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, c_uint, c_void_p,
                                     POINTER(c_void_p), POINTER(c_void_p)]
        L.cuCtxSynchronize.argtypes = []
        if hasattr(L, "cuFuncGetParamInfo"):
            L.cuFuncGetParamInfo.argtypes = [c_void_p, c_size_t, POINTER(c_size_t), POINTER(c_size_t)]
        self.check(L.cuInit(0), "cuInit")
        self._keep = []  # module images must outlive their modules

    def error_text(self, rc):
        name, text = ctypes.c_char_p(), ctypes.c_char_p()
        self.lib.cuGetErrorName(rc, byref(name))
        self.lib.cuGetErrorString(rc, byref(text))
        return f"{(name.value or b'?').decode()} ({rc}): {(text.value or b'').decode()}"

    def check(self, rc, call):
        if rc != 0:
            raise CudaError(f"{call} failed: {self.error_text(rc)}")

    def version(self):
        v = c_int()
        self.check(self.lib.cuDriverGetVersion(byref(v)), "cuDriverGetVersion")
        return f"{v.value // 1000}.{v.value % 1000 // 10}"

    def ensure_context(self):
        """Uses the current (PyTorch's) context, or makes device 0's primary context current."""
        ctx = c_void_p()
        self.check(self.lib.cuCtxGetCurrent(byref(ctx)), "cuCtxGetCurrent")
        if not ctx.value:
            dev = c_int()
            self.check(self.lib.cuDeviceGet(byref(dev), 0), "cuDeviceGet")
            self.check(self.lib.cuDevicePrimaryCtxRetain(byref(ctx), dev.value), "cuDevicePrimaryCtxRetain")
            self.check(self.lib.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
        return ctx.value

    def max_smem_optin(self):
        dev, v = c_int(), c_int()
        self.check(self.lib.cuCtxGetDevice(byref(dev)), "cuCtxGetDevice")
        self.check(self.lib.cuDeviceGetAttribute(byref(v), CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                                                 dev.value), "cuDeviceGetAttribute")
        return v.value

    def load_module(self, image: bytes):
        buf = ctypes.create_string_buffer(image, len(image))
        self._keep.append(buf)
        mod = c_void_p()
        self.check(self.lib.cuModuleLoadData(byref(mod), ctypes.cast(buf, c_void_p)), "cuModuleLoadData")
        return mod

    def function(self, module, name, types):
        fn = c_void_p()
        self.check(self.lib.cuModuleGetFunction(byref(fn), module, name.encode()), f"cuModuleGetFunction({name})")
        return Function(self, fn, name, types)

    def launch(self, fn, grid, block, smem, stream, args):
        values = pack_args(fn.name, fn.types, args)
        if smem > 48 * 1024 and fn.dynamic_smem_set < smem:
            self.check(self.lib.cuFuncSetAttribute(fn.handle, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
                       f"cuFuncSetAttribute({fn.name}, {smem} bytes)")
            fn.dynamic_smem_set = smem
        params = (c_void_p * len(values))(*[ctypes.cast(byref(v), c_void_p) for v in values])
        g = tuple(grid) + (1,) * (3 - len(grid))
        b = tuple(block) + (1,) * (3 - len(block))
        if min(g) < 1 or min(b) < 1:
            raise CudaError(f"{fn.name}: empty launch grid {g} block {b}")
        self.check(self.lib.cuLaunchKernel(fn.handle, g[0], g[1], g[2], b[0], b[1], b[2], smem, c_void_p(stream),
                                           params, None), f"cuLaunchKernel({fn.name})")

    def synchronize(self):
        self.check(self.lib.cuCtxSynchronize(), "cuCtxSynchronize")


class DryFunction(Function):
    def resources(self):
        return {}

    def check_param_sizes(self):
        return "dry"


class DryDriver:
    """Checks and records launches without a GPU; `emulate[name](grid, block, smem, args)` may run a model."""

    def __init__(self, emulate=None):
        self.launches, self.emulate = [], emulate or {}

    def version(self):
        return "dry"

    def ensure_context(self):
        return 0

    def max_smem_optin(self):
        return 227 * 1024

    def load_module(self, image):
        return None

    def function(self, module, name, types):
        return DryFunction(self, None, name, types)

    def launch(self, fn, grid, block, smem, stream, args):
        pack_args(fn.name, fn.types, args)
        g = tuple(grid) + (1,) * (3 - len(grid))
        b = tuple(block) + (1,) * (3 - len(block))
        if min(g) < 1 or min(b) < 1 or b[0] * b[1] * b[2] > 1024:
            raise CudaError(f"{fn.name}: bad launch grid {g} block {b}")
        if smem > self.max_smem_optin():
            raise CudaError(f"{fn.name}: {smem} bytes of dynamic shared memory exceed the device limit")
        self.launches.append((fn.name, g, b, smem))
        if fn.name in self.emulate:
            self.emulate[fn.name](g, b, smem, args)

    def synchronize(self):
        pass
