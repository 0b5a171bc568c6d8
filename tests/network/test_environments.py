"""The network switcher's list: built-ins plus the SOMA CLI's client.yaml envs (sdk.md §7)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk import Environment, load_environments, validate_url
from soma_desktop.network.sdk.environments import (
    LOCALNET_FAUCET,
    TESTNET_FAUCET,
    custom_environment,
    parse_client_yaml,
)

CLI_YAML = """---
keystore:
  File: /home/u/.soma/soma_config/soma.keystore
external_keys: ~
envs:
  - alias: testnet
    rpc: "https://fullnode.testnet.soma.org:443"
    basic_auth: ~
  - alias: local            # `soma genesis` / `start localnet` adds alias "localnet"
    rpc: "http://127.0.0.1:9000"
    basic_auth: ~
    chain_id: 4c78adac
  - alias: private
    rpc: 'https://rpc.corp.example:8443'
    basic_auth:
      username: me
      password: "p#ss"
active_env: local
active_address: "5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1"
"""


def test_builtins_without_client_yaml(tmp_path):
    envs = load_environments(tmp_path)
    assert [(e.name, e.key) for e in envs] == [("Sandbox", "sandbox"), ("Testnet", "testnet"),
                                               ("Localnet", "localnet")]
    assert envs[0].is_sandbox and not envs[1].is_sandbox
    assert envs[2].admin_url and envs[2].scoring_url and envs[1].faucet_url == TESTNET_FAUCET


def test_client_yaml_envs(tmp_path):
    (tmp_path / "client.yaml").write_text(CLI_YAML)
    extra = {e.name: e for e in load_environments(tmp_path) if e.source == "client.yaml"}
    assert list(extra) == ["testnet", "local", "private"]
    assert extra["testnet"].rpc_url == "https://fullnode.testnet.soma.org:443"
    assert extra["testnet"].faucet_url == TESTNET_FAUCET and extra["testnet"].key == "env:testnet"
    assert extra["local"].active_in_cli and extra["local"].faucet_url == LOCALNET_FAUCET
    assert extra["private"].faucet_url is None and "basic auth" in extra["private"].note
    config = parse_client_yaml(CLI_YAML)
    assert config.active_env == "local" and config.active_address.startswith("5e93")


def test_soma_config_dir_is_honoured(tmp_path, monkeypatch):
    (tmp_path / "client.yaml").write_text("envs:\n  - alias: dev\n    rpc: http://10.0.0.5:9000\n")
    monkeypatch.setenv("SOMA_CONFIG_DIR", str(tmp_path))
    assert load_environments()[-1] == Environment("dev", "http://10.0.0.5:9000", source="client.yaml",
                                                  key="env:dev")


def test_default_location_under_home(tmp_path):
    # tests/conftest.py points HOME at a tmp dir.
    from pathlib import Path
    config = Path.home() / ".soma" / "soma_config"
    config.mkdir(parents=True)
    (config / "client.yaml").write_text("envs:\n  - alias: homeenv\n    rpc: https://h.example\n")
    assert load_environments()[-1].name == "homeenv"


@pytest.mark.parametrize("text", [
    "envs:\n  - alias: x\n    rpc: [1, 2]\n",
    "envs:\n  - alias: x\n  rpc: http://a\n   bad: 1\n",
    "envs: {alias: x}\n",
    "envs:\n  - alias: \"unterminated\n",
    "just some words\n",
])
def test_malformed_client_yaml_falls_back_to_builtins(tmp_path, text):
    (tmp_path / "client.yaml").write_text(text)
    with pytest.raises(ValueError):
        parse_client_yaml(text)
    assert [e.key for e in load_environments(tmp_path)] == ["sandbox", "testnet", "localnet"]


def test_bad_entries_are_skipped(tmp_path):
    text = ("envs:\n  - alias: 9bad\n    rpc: http://a.example\n  - alias: ok\n    rpc: ftp://a.example\n"
            "  - alias: testnet\n    rpc: http://dup.example\n  - alias: testnet\n    rpc: http://dup2.example\n")
    (tmp_path / "client.yaml").write_text(text)
    extra = [e for e in load_environments(tmp_path) if e.source == "client.yaml"]
    assert [(e.name, e.rpc_url) for e in extra] == [("testnet", "http://dup.example")]


def test_oversized_or_binary_client_yaml_is_ignored(tmp_path):
    (tmp_path / "client.yaml").write_bytes(b"\xff\xfe" * 10)
    assert len(load_environments(tmp_path)) == 3
    (tmp_path / "client.yaml").write_text("envs:\n" + "#" * (1024 * 1024 + 1))
    assert len(load_environments(tmp_path)) == 3


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parser_only_raises_value_error(text):
    try:
        parse_client_yaml(text)
    except ValueError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,12}", fullmatch=True),
                          st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,5})?", fullmatch=True),
                          st.integers(min_value=1, max_value=65535)), max_size=5))
def test_generated_configs_round_trip(entries):
    lines = ["---", "keystore:", "  File: /k", "envs:"]
    for alias, host, port in entries:
        lines += [f"  - alias: {alias}", f'    rpc: "http://{host}:{port}"', "    basic_auth: ~"]
    lines.append(f"active_env: {entries[0][0] if entries else '~'}")
    config = parse_client_yaml("\n".join(lines) + "\n")
    assert [(e["alias"], e["rpc"]) for e in config.envs] == [(a, f"http://{h}:{p}") for a, h, p in entries]
    assert config.active_env == (entries[0][0] if entries else None)


@pytest.mark.parametrize("url,message", [
    ("", "Enter"), ("fullnode.testnet.soma.org", "http://"), ("ftp://x.org", "http://"),
    ("http://", "host"), ("http://a b.org", "spaces"), ("https://user:pw@x.org", "password"),
    ("http://x.org:99999", "port"), ("http://x.org/?q=1", "query"),
])
def test_url_validation_messages(url, message):
    with pytest.raises(InvalidInput, match=message) as err:
        validate_url(url)
    assert err.value.field == "url"


def test_custom_environment():
    env = custom_environment(" https://rpc.example.org/ ", faucet_url="https://faucet.example.org")
    assert (env.name, env.rpc_url, env.faucet_url, env.key, env.source) == (
        "rpc.example.org", "https://rpc.example.org", "https://faucet.example.org", "https://rpc.example.org",
        "custom")
    with pytest.raises(InvalidInput, match="faucet URL"):
        custom_environment("https://rpc.example.org", faucet_url="nope")
