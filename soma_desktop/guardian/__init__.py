"""The reveal guardian: headless reconciliation of the publish journal (`soma-desktop guard`).

Qt-free. `guard.py` runs passes (reconcile every unfinished job, send a due reveal through the publish
runner's gates), `wake.py` notices a resume from sleep, `notify.py` tells a person when the guardian cannot
act alone, `autostart.py` writes the opt-in start-at-login entry.
"""
