"""Size the per-step candidates of the two 512-GPU Llama 3.1 8B rows (r-floor README, section 3) in ms.

Plain arithmetic on stated inputs, each with its source in the README's table; no model code is called. The ring
formulas are the textbook ones the model also uses (walls/communication.py ring_reduce_scatter_s /
hierarchical_all_reduce_s): a reduce-scatter or all-gather of M bytes a GPU over n ranks in d NVLink domains of g
ranks sends (n-1)/n M a GPU over NVLink and, per domain and direction, (n-1)/n M over the NICs its rings cross.
`nics` is how many NICs a domain's rings use: all g (the model's assumption) or the 8 channels the run caps the
dp_cp communicator at (conf/nccl/custom_communicator_cta.yaml, dp_cp max_ctas 8), one NIC a channel.
Run: `.venv/bin/python registry_data/research/r-floor/size_terms.py` from the worktree root.
"""

from __future__ import annotations

ETA_LINK = 0.82  # the model's eta_link (terms.py output for these rows)
NVLINK = 900e9  # GB200 / GB300 NVL72 GPU scaleup_link_bandwidth_bytes_per_s (hardware catalog)
HBM = 8e12  # memory_bandwidth_bytes_per_s, both parts (hardware catalog)
NIC = {"tyche (GB200)": 400e9 / 8, "theia (GB300)": 800e9 / 8}  # clusters catalog nic_bandwidth_bits_per_s / 8
PARAMS_PER_GPU = 4.015263744e9  # the model's params_per_gpu (8.03e9 / TP 2)
BUCKET = 768e6  # BUCKET_SIZE params, config_GB200/GB300_128x4x1xtp2pp1cp4_8b.sh line 15
N, DOMAINS = 256, 8  # dp x cp ranks (distributed-optimizer group); 8 racks of 64 GPUs (SEGMENT=16 nodes x 4)
G = N // DOMAINS  # 32 ranks of the group a rack
CHANNELS = 8  # dp_cp max_ctas


def ring_half_s(message: float, nic: float, nics: int) -> float:
    """One reduce-scatter (or all-gather) of `message` bytes a GPU: the slower of NVLink and the NICs."""
    share = (N - 1) / N * message
    return max(share / (NVLINK * ETA_LINK), share / (nics * nic * ETA_LINK))


def main() -> None:
    shard = PARAMS_PER_GPU / N
    print(f"optimizer shard {shard / 1e6:.2f} M params a GPU; buckets {PARAMS_PER_GPU / BUCKET:.2f}")
    # Adam step on the fp32 shard, bytes a param: grad bf16->fp32 copy 2+4, l2 norm 4, clip scale 4+4,
    # FusedAdam read p,g,m,v 16 + write p,m,v 12, main -> FP8 model param 4+1 and its amax read 4.
    adam_bytes = (2 + 4) + 4 + (4 + 4) + (16 + 12) + (4 + 1 + 4)
    print(f"optimizer HBM traffic {adam_bytes} B/param x shard = {adam_bytes * shard / 1e9:.3f} GB, "
          f"{adam_bytes * shard / HBM * 1e3:.3f} ms at {HBM / 1e12:.0f} TB/s")
    for row, nic in NIC.items():
        out = []
        for name, message in [("grad RS, last bucket (bf16)", BUCKET * 2), ("grad RS, all (bf16)", PARAMS_PER_GPU * 2),
                              ("param AG, first bucket (FP8)", BUCKET * 1), ("param AG, all (FP8)", PARAMS_PER_GPU)]:
            lo, hi = ring_half_s(message, nic, G), ring_half_s(message, nic, CHANNELS)
            out.append(f"  {name}: {message / 1e9:.3f} GB, {lo * 1e3:.2f} ms (all {G} NICs a rack) .. "
                       f"{hi * 1e3:.2f} ms ({CHANNELS} channels)")
        print(row)
        print("\n".join(out))


if __name__ == "__main__":
    main()
