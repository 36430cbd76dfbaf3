-- Roofline: each accelerator's feasible configurations of a node run at their arithmetic
-- intensity and achieved FLOP/s, with the roof they sit under (attainable = min(peak,
-- bandwidth x intensity); Williams, Waterman and Patterson, CACM 52(4), 2009, Fig. 1).
-- Grain: one row per hardware x model x workload x step x compute_dtype x batch x seq_len
-- (region rows of the same configuration collapse: the roofline does not depend on the region).
-- reads: node
-- param hardware = any: an accelerator name, or any
select distinct
    hardware, compute_dtype, model, workload, step, batch, seq_len,
    arithmetic_intensity_flop_per_byte, achieved_flop_per_s,
    peak_flop_per_s, memory_bandwidth_bytes_per_s, bound
from node
where is_feasible
  and ($hardware = 'any' or hardware = $hardware)
  and arithmetic_intensity_flop_per_byte > 0
  and achieved_flop_per_s > 0
order by hardware, compute_dtype, model, workload, step, batch, seq_len
