"""Application services: the Qt-free layer between the network and the widgets.

`ChainCache` is the one read model of the live chain; `WalletService`, `StakingService`,
`ModelsService` and `PublishService` turn a user's intent into one transaction plus the reads its effects
need, and return typed results. `evaluate/` holds `EvaluateService` (the evaluation worker, submissions,
remote scoring) and what a run produced (results, ETA, exports, input files). Nothing here imports Qt or
torch; the UI calls these through its bridge.
The frozen `Services` bundle the composition root builds is in `services.root` (this file imports
nothing, so the submodules never close an import cycle through it).
"""
