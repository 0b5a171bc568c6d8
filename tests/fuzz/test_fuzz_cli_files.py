"""Fuzz the SOMA CLI's files we read: client.yaml (network environments) and the keystore / aliases."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.sdk.environments import BUILTINS, load_environments, parse_client_yaml, validate_url
from soma_desktop.wallet.cli_keystore import (
    ALIASES_FILE,
    KEYSTORE_FILE,
    CliKeystoreError,
    keystore_entry,
    parse_aliases,
    parse_client_active_env,
    parse_client_envs,
    parse_keystore,
    read_cli_keys,
)
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON_VALUES, dumps, mutated

YAML = b"""---
keystore:
  File: /home/u/.soma/soma_config/soma.keystore
envs:
  - alias: testnet
    rpc: "https://fullnode.testnet.soma.org:443"
    basic_auth: ~
  - alias: local-1  # comment
    rpc: http://127.0.0.1:9000
    basic_auth:
      username: 'it''s'
active_env: testnet
active_address: "0x5e93"
"""
YAML_LINES = st.lists(st.one_of(
    st.sampled_from(YAML.decode().splitlines()),
    st.builds(lambda i, d, k, v: " " * i + d + k + ": " + v, st.integers(0, 8), st.sampled_from(["", "- "]),
              st.sampled_from(["alias", "rpc", "envs", "active_env", "basic_auth", "x"]),
              st.one_of(st.text(max_size=20), st.sampled_from(['"a', "'b''", "[x]", "{}", "~", "&a", "|"]))),
    st.text(max_size=30)), max_size=12).map("\n".join)


@fuzz()
@given(st.one_of(YAML_LINES, mutated(YAML).map(lambda b: b.decode("utf-8", "replace"))))
def test_client_yaml(text):
    try:
        config = parse_client_yaml(text)
    except ValueError:
        config = None
    for parse in (parse_client_envs, parse_client_active_env):
        try:
            parse(text)
        except (ValueError, CliKeystoreError):
            pass
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "client.yaml").write_text(text, encoding="utf-8")
        envs = load_environments(folder)
    assert envs[:len(BUILTINS)] == list(BUILTINS)
    for env in envs[len(BUILTINS):]:
        assert validate_url(env.rpc_url) == env.rpc_url and config is not None


GOOD_KEY = keystore_entry(bytes(range(32)))


@fuzz()
@given(st.one_of(st.lists(st.one_of(st.just(GOOD_KEY), JSON_VALUES), max_size=4).map(dumps),
                 JSON_VALUES.map(dumps),
                 mutated(dumps([GOOD_KEY]).encode()).map(lambda b: b.decode("utf-8", "replace"))),
       st.one_of(JSON_VALUES.map(dumps), st.lists(st.fixed_dictionaries({"alias": JSON_VALUES,
                                                                          "public_key_base64": JSON_VALUES}),
                                                   max_size=3).map(dumps)))
def test_keystore_and_aliases(keystore, aliases):
    for parse, text in ((parse_keystore, keystore), (parse_aliases, aliases)):
        try:
            parse(text)
        except CliKeystoreError:
            pass
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / KEYSTORE_FILE).write_text(keystore, encoding="utf-8")
        (Path(folder) / ALIASES_FILE).write_text(aliases, encoding="utf-8")
        try:
            keys = read_cli_keys(folder)
        except CliKeystoreError:
            return
        assert len({k.address for k in keys}) == len(keys)     # duplicates collapse


def test_atheris_targets_run_without_atheris():
    """The on-demand atheris harness (tests/fuzz/atheris_main.py) stays importable and callable."""
    from tests.fuzz.atheris_main import TARGETS

    for target in TARGETS.values():
        for sample in (b"", b"{}", b"\xff" * 9, YAML):
            target(sample)
