"""SOMA Desktop: wallet, staking, publishing and evaluation for SOMA model owners."""

__version__ = "0.1.0"
