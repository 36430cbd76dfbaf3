"""The peers benchmark's test rows (one per study), and where the peers' interpreter is: running
the tools is tested only where their separate venv exists (not in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.validation.peers import PEERS_PYTHON

from ..measured_csv import SELENE, URL

PYTHON = os.environ.get("MLSYS_PEERS_PYTHON", PEERS_PYTHON)
needs_peers = pytest.mark.skipif(not Path(PYTHON).exists(),
                                 reason=f"no peers venv at {PYTHON} (optional benchmark; set MLSYS_PEERS_PYTHON)")

ROWS = [
    f"{URL},resnet-b1,latency_s,0.38,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,T1",
    f"{URL},llama-ttft,ttft_s,45,40,50,ms,Llama 2 70B,H100 SXM5 80GB,,8,fp16,,default,offline,1,,2048,128,"
    "8,1,,,,T2",
    f'{URL},gpt3-step,step_time_s,60,,,s,GPT-3 175B,A100 SXM4 80GB,"{SELENE}",384,bf16,,Megatron-LM,training,1536,'
    "2048,,,8,12,4,1,full,T3",
]
