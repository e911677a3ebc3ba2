"""Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) in numpy, vectorised over
counters; the reference for cuda-kernels/sampling.cu's generator."""
import numpy as np

M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
MASK = np.uint64(0xFFFFFFFF)

# Known-answer tests from Random123's kat_vectors (philox4x32, 10 rounds): (counter, key, output).
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def philox4x32(ctr, key):
    """ctr (n, 4), key (n, 2) or (2,) unsigned 32-bit -> (n, 4) uint32."""
    c = np.asarray(ctr, dtype=np.uint64).reshape(-1, 4).copy()
    k = np.broadcast_to(np.asarray(key, dtype=np.uint64).reshape(-1, 2), (c.shape[0], 2)).copy()
    for r in range(10):
        if r > 0:
            k[:, 0] = (k[:, 0] + np.uint64(W0)) & MASK
            k[:, 1] = (k[:, 1] + np.uint64(W1)) & MASK
        p0 = M0 * c[:, 0]
        p1 = M1 * c[:, 2]
        hi0, lo0 = p0 >> np.uint64(32), p0 & MASK
        hi1, lo1 = p1 >> np.uint64(32), p1 & MASK
        c = np.stack([hi1 ^ c[:, 1] ^ k[:, 0], lo1, hi0 ^ c[:, 3] ^ k[:, 1], lo0], axis=1)
    return c.astype(np.uint32)


def uniforms(bits):
    """The sampler's map from 32 random bits to (0, 1): (k + 1/2) / 2^23 with k the top 23 bits (exact in f32)."""
    return ((np.asarray(bits, dtype=np.uint32) >> np.uint32(9)).astype(np.float64) + 0.5) / float(1 << 23)


def row_bits(vocab, row, step, seed):
    """The 32 random bits the sampler draws for each element of one row: element i takes word i % 4 of the
    block at counter (i // 4, row, step lo, step hi) under key (seed lo, seed hi); `row` is the stream word
    (SampleRow.stream: a request's sample stream, not its place in the batch)."""
    nblk = (vocab + 3) // 4
    ctr = np.zeros((nblk, 4), dtype=np.uint64)
    ctr[:, 0] = np.arange(nblk)
    ctr[:, 1] = row
    ctr[:, 2] = step & 0xFFFFFFFF
    ctr[:, 3] = step >> 32
    key = np.array([seed & 0xFFFFFFFF, seed >> 32], dtype=np.uint64)
    return philox4x32(ctr, key).reshape(-1)[:vocab]


def self_test():
    for ctr, key, want in KAT:
        got = tuple(int(x) for x in philox4x32(np.array(ctr), np.array(key))[0])
        if got != want:
            raise AssertionError(f"philox4x32 KAT {ctr} {key}: {[hex(x) for x in got]} != {[hex(x) for x in want]}")
    return len(KAT)


if __name__ == "__main__":
    print("philox KAT ok:", self_test())
