"""Evaluation without Qt: the worker-facing service, what a run produced, its ETA, exports and input files.

`service.EvaluateService` drives the evaluation worker process (runs, probes, the matmul speed);
`results` folds its streamed replies into per-file, per-model arrays; `eta`, `export` and `inputs`
work from those. The UI adapts the service's plain callbacks into queued Qt signals (ui/workers.py).
"""
