"""The headline of one configuration, from hand-written rows."""

from __future__ import annotations

from pipeline.report.headline import headline

UNITS = {"ttft_s": "s", "itl_s": "s", "e2e_latency_s": "s", "tokens_per_s": "tok/s", "latency_s": "s",
         "step_time_s": "s", "mfu": "", "time_to_train_s": "s"}


def test_serving():
    row = {"is_feasible": True, "ttft_s": 2.494, "itl_s": 0.01191, "e2e_latency_s": 5.531, "tokens_per_s": 1343.2,
           "bound": "memory bandwidth", "ttft_bound": "compute", "binding_input": "memory_bandwidth_bytes_per_s"}
    assert headline("serving", row, UNITS) == (
        "feasible · TTFT 2.49 s · ITL 11.9 ms · end to end 5.53 s · throughput 1.34 k tok/s · "
        "decode memory bandwidth-bound, prefill compute-bound · binding input memory_bandwidth_bytes_per_s")


def test_node_step_and_the_first_throughput_given():
    row = {"step": "decode", "is_feasible": True, "latency_s": 0.0056752, "tokens_per_s": None,
           "samples_per_s": 176.2, "bound": "memory"}
    assert headline("node", row, UNITS | {"samples_per_s": "1/s"}) == \
        "decode: feasible · latency 5.68 ms · throughput 176 1/s · memory-bound"


def test_training():
    row = {"is_feasible": True, "step_time_s": 2.67, "mfu": 0.3358, "tokens_per_s": 392_760.0,
           "time_to_train_s": 3_609_637.0, "bound": "compute"}
    assert headline("training", row, UNITS) == \
        "feasible · step time 2.67 s · MFU 0.336 · throughput 393 k tok/s · time to train 41.8 d · compute-bound"


def test_not_feasible_says_why():
    row = {"step": "prefill", "is_feasible": False, "infeasible_reason": "memory: needs 140 GB, has 80 GB",
           "latency_s": None}
    assert headline("node", row, UNITS) == "prefill: not feasible: memory: needs 140 GB, has 80 GB"
