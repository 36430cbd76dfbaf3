"""Runs the peer tools on requests prepared by ``pipeline.validation.peers``: executed by the peers' own
interpreter (``/tmp/peers-venv/bin/python pipeline/validation/peers/runner.py REQUESTS OUT``), so that our
environment never imports them and theirs never imports ours.

It imports the standard library and the peer tools only: MLSys·im (``mlsysim``) and
llm-analysis (``llm_analysis``). Each request (one JSON line) names the tool, the call (node,
serving or training), the model and hardware already given in the tool's own terms, and the
batches to try; each answer (one JSON line) holds the tool's raw outputs per batch in SI units
(seconds, fractions), whether the tool judged the configuration to fit, the error text if it
raised, and the wall time of the whole request (building the tool's objects included, importing
the tool not: that is reported once per tool on the last line).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from importlib import metadata


def _load_mlsysim():
    from mlsysim.core.units import Q_
    from mlsysim.engine.engine import Engine
    from mlsysim.engine.solvers.distributed import DistributedModel
    from mlsysim.engine.solvers.serving import ServingModel
    from mlsysim.hardware.types import ComputeCore, HardwareNode, IOInterconnect, MemoryHierarchy
    from mlsysim.models.types import CNNWorkload, SparseTransformerWorkload, TransformerWorkload
    from mlsysim.systems.types import Fleet, NetworkFabric, Node

    return {"Q_": Q_, "Engine": Engine, "DistributedModel": DistributedModel, "ServingModel": ServingModel,
            "ComputeCore": ComputeCore, "HardwareNode": HardwareNode, "IOInterconnect": IOInterconnect,
            "MemoryHierarchy": MemoryHierarchy, "cnn": CNNWorkload, "transformer": TransformerWorkload,
            "sparse": SparseTransformerWorkload, "Fleet": Fleet, "NetworkFabric": NetworkFabric, "Node": Node}


def _load_llm_analysis():
    from llm_analysis.analysis import ActivationRecomputation, DSZeRO, LLMAnalysis
    from llm_analysis.config import DtypeConfig, GPUConfig, ModelConfig, ParallelismConfig
    from llm_analysis.logger import logger

    logger.setLevel(logging.ERROR)  # its INFO lines describe every call
    return {"LLMAnalysis": LLMAnalysis, "ActivationRecomputation": ActivationRecomputation, "DSZeRO": DSZeRO,
            "DtypeConfig": DtypeConfig, "GPUConfig": GPUConfig, "ModelConfig": ModelConfig,
            "ParallelismConfig": ParallelismConfig}


LOADERS = {"mlsysim": _load_mlsysim, "llm-analysis": _load_llm_analysis}
DISTRIBUTIONS = {"mlsysim": "mlsysim", "llm-analysis": "llm-analysis"}


# -- MLSys·im ------------------------------------------------------------------------------------

def _ms_hardware(api: dict, h: dict):
    Q_ = api["Q_"]
    link = lambda name, bw, lat=None: api["IOInterconnect"](  # noqa: E731
        name=name, bandwidth=Q_(bw, "byte/s"), latency=None if lat is None else Q_(lat, "s"))
    return api["HardwareNode"](
        name=h["name"], release_year=h["release_year"],
        compute=api["ComputeCore"](peak_flops=Q_(h["peak_flops"], "flop/s"),
                                   precision_flops={k: Q_(v, "flop/s") for k, v in h["precision_flops"].items()}),
        memory=api["MemoryHierarchy"](capacity=Q_(h["memory_bytes"], "byte"),
                                      bandwidth=Q_(h["memory_bandwidth"], "byte/s")),
        interconnect=None if h.get("host_link") is None else link("host link", h["host_link"]),
        nvlink=None if h.get("scaleup_link") is None else link("scale-up link", h["scaleup_link"],
                                                                h.get("scaleup_latency")),
        tdp=None if h.get("tdp_w") is None else Q_(h["tdp_w"], "W"))


def _ms_model(api: dict, m: dict):
    Q_ = api["Q_"]
    m = dict(m)
    kind = m.pop("kind")
    for key, u in (("parameters", "count"), ("active_parameters", "count"), ("inference_flops", "flop")):
        if m.get(key) is not None:
            m[key] = Q_(m[key], u)
    return api[kind](**{k: v for k, v in m.items() if v is not None})


def _ms_efficiency(req: dict) -> dict:
    return {} if req.get("efficiency") is None else {"efficiency": req["efficiency"]}


def _ms_node(api, req, hw, model, batch):
    p = api["Engine"].solve(model, hw, batch_size=batch, precision=req["precision"], **_ms_efficiency(req))
    return {"latency_s": p.latency.to("s").magnitude}, bool(p.feasible)


def _ms_serving(api, req, hw, model, batch):
    solve = api["ServingModel"]().solve
    kw = {"batch_size": batch, "precision": req["precision"], **_ms_efficiency(req)}
    prefill = solve(model, hw, seq_len=req["ttft_seq_len"], **kw)
    decode = solve(model, hw, seq_len=req["itl_seq_len"], **kw)
    full = solve(model, hw, seq_len=req["fit_seq_len"], **kw)
    return {"ttft_s": prefill.ttft.to("s").magnitude, "itl_s": decode.itl.to("s").magnitude}, bool(full.feasible)


def _ms_training(api, req, hw, model, batch):
    Q_, f = api["Q_"], req["fleet"]
    node = api["Node"](name="node", accelerator=hw, accelerators_per_node=f["accelerators_per_node"],
                       intra_node_bw=Q_(f["intra_node_bw"], "byte/s"))
    fabric = api["NetworkFabric"](name="fabric", bandwidth=Q_(f["fabric_bits_per_s"], "bit/s"),
                                  latency=None if f.get("fabric_latency") is None else Q_(f["fabric_latency"], "s"),
                                  oversubscription_ratio=f.get("oversubscription") or 1.0)
    fleet = api["Fleet"](name="fleet", node=node, count=f["nodes"], fabric=fabric)
    d = api["DistributedModel"]().solve(model, fleet, batch_size=batch, precision=req["precision"],
                                        **_ms_efficiency(req), **req["parallel"])
    scale = d.scaling_efficiency  # the node profile's MFU/HFU leave out communication and the bubble
    return ({"step_time_s": d.step_latency_total.to("s").magnitude, "mfu": d.node_profile.mfu * scale,
             "hfu": d.node_profile.hfu * scale}, bool(d.node_profile.feasible))


def _run_mlsysim(api: dict, req: dict):
    hw = _ms_hardware(api, req["hardware"])
    model = _ms_model(api, req["model"])
    call = {"node": _ms_node, "serving": _ms_serving, "training": _ms_training}[req["call"]]
    return lambda batch: call(api, req, hw, model, batch)


# -- llm-analysis --------------------------------------------------------------------------------

def _run_llm_analysis(api: dict, req: dict):
    analysis = api["LLMAnalysis"](
        api["ModelConfig"](**req["model"]), api["GPUConfig"](**req["gpu"]), api["DtypeConfig"](**req["dtype"]),
        api["ParallelismConfig"](**req["parallel"]),
        **({} if req.get("efficiency") is None else {"flops_efficiency": req["efficiency"]}))

    def node(batch):
        s = analysis.inference(batch_size_per_gpu=batch, seq_len=req["seq_len"], num_tokens_to_generate=1)
        return {"latency_s": s["prefill_latency"]}, True

    def serving(batch):
        s = analysis.inference(batch_size_per_gpu=batch, seq_len=req["prompt_len"],
                               num_tokens_to_generate=req["output_len"])
        return {"ttft_s": s["prefill_latency"], "itl_s": s["decode_latency"], "e2e_s": s["total_latency"]}, True

    def training(batch):
        s = analysis.training(
            batch_size_per_gpu=req["microbatch"], global_batch_size=batch, seq_len=req["seq_len"],
            activation_recomputation=api["ActivationRecomputation"][req["recompute"]],
            ds_zero=api["DSZeRO"](req["zero_stage"]), mlp_gated_linear_units=req["gated_mlp"])
        return {"step_time_s": s["latency_per_iter"]}, s["memory_left_per_gpu"] >= 0

    return {"node": node, "serving": serving, "training": training}[req["call"]]


RUNNERS = {"mlsysim": _run_mlsysim, "llm-analysis": _run_llm_analysis}


def _one(api: dict, req: dict) -> dict:
    start = time.perf_counter()
    runs = []
    try:
        call = RUNNERS[req["tool"]](api, req)
    except Exception as exc:  # the tool rejected the model or hardware as given
        return {"id": req["id"], "error": f"{type(exc).__name__}: {exc}", "runs": [],
                "seconds": time.perf_counter() - start}
    for batch in req["batches"]:
        try:
            values, fits = call(batch)
            runs.append({"batch": batch, "values": values, "fits": fits})
        except Exception as exc:  # llm-analysis asserts when a batch does not fit
            runs.append({"batch": batch, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
    return {"id": req["id"], "runs": runs, "seconds": time.perf_counter() - start}


def main(requests_path: str, out_path: str) -> None:
    with open(requests_path) as f:
        requests = [json.loads(line) for line in f if line.strip()]
    apis, imports, versions = {}, {}, {}
    with open(out_path, "w") as out, contextlib.redirect_stdout(sys.stderr):  # the tools print
        for req in requests:
            tool = req["tool"]
            if tool not in apis:
                start = time.perf_counter()
                try:
                    apis[tool] = LOADERS[tool]()
                    versions[tool] = metadata.version(DISTRIBUTIONS[tool])
                except Exception as exc:
                    apis[tool] = exc
                imports[tool] = time.perf_counter() - start
            api = apis[tool]
            if isinstance(api, Exception):
                answer = {"id": req["id"], "error": f"cannot import {tool}: {api}", "runs": [], "seconds": None}
            else:
                answer = _one(api, req)
            out.write(json.dumps(answer) + "\n")
        out.write(json.dumps({"meta": {"import_seconds": imports, "versions": versions}}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
