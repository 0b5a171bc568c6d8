"""The chain's rules the client must know (SOMA protocol v5, soma-org/soma 0ed887ab; protocol.md + Errata).

Qt-free and I/O-free: typed pure functions and constants, imported by the sandbox, the publish pre-checks,
the fee/stake/claim previews and the Evaluate verdicts. One definition of each rule lives here:

- params     protocol v5 parameters (§7) and hard-coded constants
- fees       the fee formula, objects written per transaction kind, value-fee base, Max, value-fee adjustment
- staking    pool exchange rates, withdrawal value and rewards, validator reward split, voting power
- targets    claim split and dust, claim/expiry timing, submission bond, target funding
- limits     data size, commission, stake and u64 limits
- reveal     the commit and reveal windows
- distance   cosine distance and the hit rule
"""
