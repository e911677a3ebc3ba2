"""The C parameter lists of a .cu file's extern "C" kernels, read from nvcc's preprocessed output (so kernels
stamped out by macros are seen as the compiler sees them). The harness packs launch arguments from these, so a
Python wrapper can never pass a float where the kernel takes an int.
"""
import json
import re
import subprocess
import sys

_PARAM_TYPES = [
    # (regex on the normalised declaration without its name, kind)
    (r".*\*$", "ptr"),
    (r"(const )?float$", "float"),
    (r"(const )?(signed )?int$", "int"),
    (r"(const )?(unsigned|unsigned int|uint32_t)$", "unsigned"),
    (r"(const )?(long long|long long int|int64_t)$", "long long"),
    (r"(const )?(unsigned long long|unsigned long long int|uint64_t)$", "unsigned long long"),
]


def param_kind(decl):
    decl = " ".join(decl.replace("*", " * ").split())
    words = decl.split(" ")
    if len(words) < 2:
        raise ValueError(f"parameter without a name: {decl!r}")
    body = " ".join(words[:-1]).replace(" *", "*")
    body = re.sub(r"\b__restrict__\b", "", body).strip().replace(" *", "*")
    for pattern, kind in _PARAM_TYPES:
        if re.fullmatch(pattern, body):
            return kind
    raise ValueError(f"unsupported kernel parameter type {body!r} in {decl!r}")


def kernel_params(preprocessed):
    """{name: [parameter declaration, ...]} for every `extern "C" ... __global__ ... name(params) {` definition."""
    out = {}
    for m in re.finditer(r'extern\s+"C"', preprocessed):
        brace = preprocessed.find("{", m.end())
        semi = preprocessed.find(";", m.end())
        if brace < 0 or (0 <= semi < brace):
            continue  # a declaration or an extern "C" { block
        head = preprocessed[m.end():brace]
        if "global" not in head:
            continue
        # The parameter list is the last top-level parenthesised group; the name precedes it.
        close = head.rstrip().rfind(")")
        depth, open_idx = 0, None
        for i in range(close, -1, -1):
            if head[i] == ")":
                depth += 1
            elif head[i] == "(":
                depth -= 1
                if depth == 0:
                    open_idx = i
                    break
        name = re.search(r"(\w+)\s*$", head[:open_idx]).group(1)
        params = head[open_idx + 1:close].strip()
        if name in out:
            raise ValueError(f"kernel {name} defined twice")
        out[name] = [] if params in ("", "void") else params.split(",")
    return out


def parse_kernels(preprocessed):
    """{name: [kind, ...]} for every extern "C" kernel definition."""
    return {name: [param_kind(p) for p in params] for name, params in kernel_params(preprocessed).items()}


def preprocess(nvcc, cu_path, include_dirs=()):
    cmd = [nvcc, "-std=c++17", "-E", "-x", "cu", cu_path] + [f"-I{d}" for d in include_dirs]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def signatures_of(nvcc, cu_path):
    return parse_kernels(preprocess(nvcc, cu_path))


if __name__ == "__main__":
    # signatures.py NVCC FILE.cu OUT.json
    json.dump(signatures_of(sys.argv[1], sys.argv[2]), open(sys.argv[3], "w"), indent=1)
