"""Imports torchvision on a CPU-only torch whose torchvision wheel was built against the CUDA torch.

The wheel's compiled ops (nms, roi_align, ...) cannot load there, and torchvision's import registers fake kernels
for them, which raises. The oracle only needs torchvision's pure-PyTorch image transforms (resize is
torch.nn.functional.interpolate), so the failing registrations are skipped while importing. Where torchvision
imports cleanly, or is not installed (transformers then uses its torchvision-free image paths), this module does
nothing.
"""
import torch
import torch.library

_register_fake = torch.library.register_fake


def _tolerant_register_fake(*args, **kwargs):
    decorate = _register_fake(*args, **kwargs)

    def wrap(fn):
        try:
            return decorate(fn)
        except RuntimeError:  # the operator's compiled library did not load
            return fn

    return wrap


torch.library.register_fake = _tolerant_register_fake
try:
    import torchvision  # noqa: F401
    from torchvision.transforms.v2 import functional as tvF  # noqa: F401
except ModuleNotFoundError:  # not installed: nothing to shim
    pass
finally:
    torch.library.register_fake = _register_fake
