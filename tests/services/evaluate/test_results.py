"""What a run produced (RunResults), the distance rule the views use, worst regions and input files (Qt-free)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from soma_desktop.network.types import Target, TargetStatus
from soma_desktop.services.evaluate.inputs import looks_binary, read_input
from soma_desktop.services.evaluate.results import (
    ModelRef,
    RunResults,
    cosine_distance,
    submit_candidate,
    worst_spans,
    would_hit,
)


def test_worst_spans_pick_the_highest_windows_without_overlap():
    nll = np.zeros(200, dtype=np.float32)
    nll[0] = np.nan
    nll[50:60] = 9.0
    nll[120:126] = 5.0
    spans = worst_spans(nll, count=2, window=8)
    assert [s[0] for s in spans][0] in range(48, 53) and spans[0][2] == 9.0
    assert spans[1][0] in range(116, 122)
    assert spans[0][1] <= spans[1][0] or spans[1][1] <= spans[0][0]


def test_cosine_distance_and_threshold_follow_the_chain_rule():
    a = np.array([1.0, 0.0], dtype=np.float32)
    assert cosine_distance(a, np.array([0.0, 1.0])) == 1.0
    assert would_hit(1.0, 1.0) and not would_hit(1.0000001, 1.0)
    assert math.isnan(cosine_distance(np.zeros(2), a)) and not would_hit(float("nan"), 2.0)


def test_binary_detection_and_reading(tmp_path):
    assert not looks_binary("naïve text\n".encode()) and looks_binary(b"abc\x00def")
    assert looks_binary(b"\xff\xfe" * 50)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert read_input(fifo).problem == "is a pipe (FIFO), not a regular file"


def test_partial_results_fold_chunks_and_report_status():
    class Progress:  # duck-typed engine ChunkProgress
        model_index, chunk_index, chunks_total, offset = 0, 0, 2, 1
        nll = np.full(1023, 2.0, dtype=np.float32)
        partial_loss, partial_embedding = 0.5, np.ones(4, dtype=np.float32)

    results = RunResults.start(1, [(Path("f"), b"x" * 1500, False, False)], [ModelRef("m", "w")])
    results.apply_chunk(0, Progress())
    track = results.files[0].models[0]
    assert track.status == "partial (1/2 chunks)" and track.loss == 0.5
    assert track.bits_per_byte == 2.0 / math.log(2)
    assert results.files[0].take_dirty() == {0: (1, 1024)} and results.files[0].take_dirty() == {}


def test_the_submit_candidate_is_the_closest_finished_assigned_model_within_the_threshold():
    target = Target("0x" + "ab" * 32, TargetStatus.OPEN, (1.0, 0.0, 0.0), ("0xa", "0xb", "0xc"), 0.3,
                    reward_pool=7 * 10**12, generation_epoch=4)
    refs = [ModelRef("a", "wa", "registry", "0xa"), ModelRef("b", "wb", "registry", "0xb"),
            ModelRef("c", "wc", "registry", "0xc"), ModelRef("d", "wd", "registry", "0xd")]
    results = RunResults.start(1, [(Path("f"), b"data", False, False)], refs)
    track = results.files[0]
    embeddings = [(1.0, 0.4, 0.0), (1.0, 0.1, 0.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)]   # d: closest, not assigned
    for model, values in zip(track.models, embeddings):
        model.final, model.embedding = True, np.asarray(values, dtype=np.float32)
    assert submit_candidate(track, target) is track.models[1]
    track.models[1].final = False                          # unfinished: never submitted
    assert submit_candidate(track, target) is track.models[0]
    track.truncated = True                                 # only the first 1 MiB was scored: not the file
    assert submit_candidate(track, target) is None
    track.truncated = False
    filled = Target(target.id, TargetStatus.FILLED, target.embedding, target.model_ids, 0.3, 0, 4)
    assert submit_candidate(track, filled) is None
