// Fiber scheduler behind cuda_shim.h: runs a kernel's blocks one after another, each block's threads as
// ucontext fibers on one OS thread, switching at barriers. Deterministic; a barrier that cannot complete is
// reported (with the waiting threads) instead of hanging.
#include <ucontext.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cuda_shim.h"

namespace {

struct Barrier {
    int expected = 0, arrived = 0;
    uint64_t gen = 0;
};

struct Fiber {
    EmuThread th;
    ucontext_t ctx;
    std::vector<char> stack;
    bool done = false;
    Barrier* waiting = nullptr;
    uint64_t wait_gen = 0;
};

struct Warp {
    Barrier bar;
    alignas(16) uint32_t slots[32 * 16];
};

ucontext_t sched_ctx;
std::vector<Fiber*> fibers;
std::vector<Warp> warps;
Barrier block_bar;
std::vector<unsigned char> dyn_smem;
void (*entry)(void**) = nullptr;
void** entry_args = nullptr;
std::string error;
constexpr size_t STACK = 256 * 1024;

void release_if_complete(Barrier& b) {
    if (b.arrived > 0 && b.arrived >= b.expected) {
        b.arrived = 0;
        b.gen++;
    }
}

void wait(Barrier& b) {
    const uint64_t g = b.gen;
    b.arrived++;
    release_if_complete(b);
    if (b.gen != g) return;  // last to arrive
    Fiber* f = fibers[emu_cur->warp * 32 + emu_cur->lane];
    f->waiting = &b;
    f->wait_gen = g;
    swapcontext(&f->ctx, &sched_ctx);
}

void fiber_main(int idx) {
    Fiber* f = fibers[idx];
    entry(entry_args);
    f->done = true;
    // An exited thread no longer takes part in its warp's or block's barriers (as on the hardware).
    Warp& w = warps[f->th.warp];
    w.bar.expected--;
    release_if_complete(w.bar);
    block_bar.expected--;
    release_if_complete(block_bar);
    swapcontext(&f->ctx, &sched_ctx);
}

bool run_block(int nthreads) {
    const int nwarps = (nthreads + 31) / 32;
    warps.assign(nwarps, Warp{});
    for (int w = 0; w < nwarps; w++) warps[w].bar.expected = std::min(32, nthreads - 32 * w);
    block_bar = Barrier{};
    block_bar.expected = nthreads;
    for (int i = 0; i < nthreads; i++) {
        Fiber* f = fibers[i];
        f->done = false;
        f->waiting = nullptr;
        f->th.tidx = uint3{(unsigned)(i % blockDim.x), (unsigned)(i / blockDim.x % blockDim.y),
                           (unsigned)(i / (blockDim.x * blockDim.y))};
        f->th.lane = i % 32;
        f->th.warp = i / 32;
        getcontext(&f->ctx);
        f->ctx.uc_stack.ss_sp = f->stack.data();
        f->ctx.uc_stack.ss_size = f->stack.size();
        f->ctx.uc_link = &sched_ctx;
        makecontext(&f->ctx, (void (*)())fiber_main, 1, i);
    }
    int left = nthreads;
    while (left > 0) {
        bool progressed = false;
        for (int i = 0; i < nthreads; i++) {
            Fiber* f = fibers[i];
            if (f->done) continue;
            if (f->waiting && f->waiting->gen == f->wait_gen) continue;
            f->waiting = nullptr;
            emu_cur = &f->th;
            swapcontext(&sched_ctx, &f->ctx);
            progressed = true;
            if (f->done) left--;
        }
        if (!progressed) {
            char buf[256];
            int wb = 0, ww = 0;
            for (int i = 0; i < nthreads; i++)
                if (!fibers[i]->done) (fibers[i]->waiting == &block_bar ? wb : ww)++;
            snprintf(buf, sizeof buf,
                     "deadlock in block (%u,%u,%u): %d threads wait at __syncthreads, %d at a warp collective",
                     blockIdx.x, blockIdx.y, blockIdx.z, wb, ww);
            error = buf;
            return false;
        }
    }
    return true;
}

}  // namespace

EmuThread* emu_cur = nullptr;
uint3 blockIdx, blockDim, gridDim;

unsigned char* emu_dynamic_smem() { return dyn_smem.data(); }
void emu_syncthreads() { wait(block_bar); }
void emu_syncwarp() { wait(warps[emu_cur->warp].bar); }
uint32_t* emu_warp_slots() { return warps[emu_cur->warp].slots; }
void emu_warp_barrier() { wait(warps[emu_cur->warp].bar); }

struct EmuKernel {
    const char* name;
    void (*call)(void**);
};
extern const EmuKernel emu_kernels[];
extern const int emu_kernel_count;

extern "C" const char* emu_error() { return error.c_str(); }

// The launch interface of cuLaunchKernel: args[i] points at the value of parameter i.
extern "C" int emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                          unsigned bz, unsigned smem, void** args) {
    error.clear();
    entry = nullptr;
    for (int i = 0; i < emu_kernel_count; i++)
        if (std::string(emu_kernels[i].name) == name) entry = emu_kernels[i].call;
    if (!entry) {
        error = std::string("no kernel ") + name;
        return 1;
    }
    const int nthreads = (int)(bx * by * bz);
    if (nthreads % 32 != 0 || nthreads > 1024) {
        error = "block size must be a multiple of 32, at most 1024";
        return 2;
    }
    entry_args = args;
    gridDim = uint3{gx, gy, gz};
    blockDim = uint3{bx, by, bz};
    while ((int)fibers.size() < nthreads) {
        Fiber* f = new Fiber();
        f->stack.resize(STACK);
        fibers.push_back(f);
    }
    dyn_smem.assign(smem + 16, 0xff);  // poisoned: NaN patterns for anything read before it is written
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++) {
                blockIdx = uint3{x, y, z};
                if (!run_block(nthreads)) return 3;
            }
    return 0;
}
