// cuBLASLt's matmul subset (what ai.pulsemind.backend.cuda.CublasLt binds) on the CPU, for the emulated device:
// D = alpha · op(A) · op(B) + beta · C (+ bias per row of D), column-major layouts with leading dimensions,
// strided batches, bf16 / f16 / f32 storage, f32 accumulation as CUBLAS_COMPUTE_32F.
#include <cstdint>
#include <cstring>
#include <vector>

namespace {
constexpr int OK = 0, INVALID = 7;  // CUBLAS_STATUS_SUCCESS, CUBLAS_STATUS_INVALID_VALUE
constexpr int R32F = 0, R16F = 2, R16BF = 14;

struct Desc { int transa = 0, transb = 0, epilogue = 1; const void* bias = nullptr; };
struct Layout { int type; uint64_t rows, cols; int64_t ld; int batch = 1; int64_t stride = 0; };

float load(const void* p, int type, int64_t i) {
    if (type == R32F) return ((const float*)p)[i];
    uint16_t b = ((const uint16_t*)p)[i];
    if (type == R16BF) {
        uint32_t u = (uint32_t)b << 16;
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
    _Float16 h;
    std::memcpy(&h, &b, 2);
    return (float)h;
}

void store(void* p, int type, int64_t i, float v) {
    if (type == R32F) { ((float*)p)[i] = v; return; }
    uint16_t b;
    if (type == R16BF) {
        uint32_t u;
        std::memcpy(&u, &v, 4);
        if ((u & 0x7fffffffu) > 0x7f800000u) b = 0x7fc0;
        else b = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    } else {
        _Float16 h = (_Float16)v;
        std::memcpy(&b, &h, 2);
    }
    ((uint16_t*)p)[i] = b;
}
}  // namespace

extern "C" {

int cublasLtCreate(void** h) { *h = new int(0); return OK; }
int cublasLtDestroy(void* h) { delete (int*)h; return OK; }
size_t cublasLtGetVersion() { return 130000; }
const char* cublasLtGetStatusName(int s) { return s == OK ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_INVALID_VALUE"; }
const char* cublasLtGetStatusString(int s) { return s == OK ? "success" : "invalid value (emulated cuBLASLt)"; }
int cublasLtMatmulDescCreate(void** d, int compute, int scale) {
    if (compute != 68 || scale != R32F) return INVALID;  // CUBLAS_COMPUTE_32F, f32 scale only
    *d = new Desc();
    return OK;
}
int cublasLtMatmulDescDestroy(void* d) { delete (Desc*)d; return OK; }
int cublasLtMatmulDescSetAttribute(void* d, int attr, const void* buf, size_t size) {
    Desc* x = (Desc*)d;
    int32_t v = 0;
    if (size >= 4) std::memcpy(&v, buf, 4);
    switch (attr) {
        case 3: x->transa = v; break;
        case 4: x->transb = v; break;
        case 7: x->epilogue = v; break;
        case 8: std::memcpy(&x->bias, buf, sizeof(void*)); break;
        default: return INVALID;
    }
    return OK;
}
int cublasLtMatrixLayoutCreate(void** l, int type, uint64_t rows, uint64_t cols, int64_t ld) {
    if (type != R32F && type != R16F && type != R16BF) return INVALID;
    if (ld < (int64_t)rows) return INVALID;
    *l = new Layout{type, rows, cols, ld};
    return OK;
}
int cublasLtMatrixLayoutDestroy(void* l) { delete (Layout*)l; return OK; }
int cublasLtMatrixLayoutSetAttribute(void* l, int attr, const void* buf, size_t size) {
    Layout* x = (Layout*)l;
    if (attr == 5) std::memcpy(&x->batch, buf, 4);
    else if (attr == 6) std::memcpy(&x->stride, buf, size < 8 ? size : 8);
    else return INVALID;
    return OK;
}
int cublasLtMatmulPreferenceCreate(void** p) { *p = new int(0); return OK; }
int cublasLtMatmulPreferenceDestroy(void* p) { delete (int*)p; return OK; }
int cublasLtMatmulPreferenceSetAttribute(void*, int, const void*, size_t) { return OK; }
int cublasLtMatmulAlgoGetHeuristic(void*, void*, void*, void*, void*, void*, void*, int, void* results, int* count) {
    std::memset(results, 0, 96);  // algo, workspace 0, state CUBLAS_STATUS_SUCCESS
    *count = 1;
    return OK;
}
int cublasLtMatmul(void*, void* descp, const void* alphap, const void* A, void* Ad, const void* B, void* Bd,
                   const void* betap, const void* C, void* Cd, void* D, void* Dd, const void*, void*, size_t, void*) {
    const Desc& d = *(const Desc*)descp;
    const Layout &la = *(const Layout*)Ad, &lb = *(const Layout*)Bd, &lc = *(const Layout*)Cd, &ld = *(const Layout*)Dd;
    float alpha = *(const float*)alphap, beta = *(const float*)betap;
    const int64_t m = (int64_t)ld.rows, n = (int64_t)ld.cols, k = d.transa ? (int64_t)la.rows : (int64_t)la.cols;
    const int64_t ka = d.transa ? (int64_t)la.cols : (int64_t)la.rows, kb = d.transb ? (int64_t)lb.cols : (int64_t)lb.rows;
    const int64_t mb = d.transb ? (int64_t)lb.rows : (int64_t)lb.cols, kk = d.transb ? (int64_t)lb.cols : (int64_t)lb.rows;
    if (ka != m || kk != k || mb != n || kb != k || (int64_t)lc.rows != m || (int64_t)lc.cols != n) return INVALID;
    const bool bias = d.epilogue == 4 && d.bias;
    std::vector<float> col(k);
    for (int bt = 0; bt < ld.batch; bt++) {
        const int64_t oa = bt * la.stride, ob = bt * lb.stride, oc = bt * lc.stride, od = bt * ld.stride;
        for (int64_t i = 0; i < m; i++) {
            for (int64_t l = 0; l < k; l++) col[l] = load(A, la.type, oa + (d.transa ? l + i * la.ld : i + l * la.ld));
            for (int64_t j = 0; j < n; j++) {
                float acc = 0.f;
                for (int64_t l = 0; l < k; l++)
                    acc += col[l] * load(B, lb.type, ob + (d.transb ? j + l * lb.ld : l + j * lb.ld));
                float v = alpha * acc;
                if (beta != 0.f) v += beta * load(C, lc.type, oc + i + j * lc.ld);
                if (bias) v += load(d.bias, ld.type, i);
                store(D, ld.type, od + i + j * ld.ld, v);
            }
        }
    }
    return OK;
}

}  // extern "C"
