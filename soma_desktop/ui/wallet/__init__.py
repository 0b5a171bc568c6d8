"""Wallet and staking dialogs, plus the Qt-free arithmetic they show (fee estimates, stake value)."""
