from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.wallet.cli_keystore import (
    ALIASES_FILE,
    KEYSTORE_FILE,
    CliKeystoreError,
    cli_config_dir,
    decode_keystore_entry,
    export_to_cli,
    keystore_entry,
    parse_aliases,
    parse_client_active_env,
    parse_client_envs,
    parse_keystore,
    public_key_entry,
    read_cli_active_env,
    read_cli_envs,
    read_cli_keys,
    validate_alias,
)
from soma_desktop.wallet.keys import KeyPair

CLIENT_YAML = """---
keystore:
  File: /home/u/.soma/soma_config/soma.keystore
external_keys: ~
envs:
  - alias: testnet
    rpc: "https://fullnode.testnet.soma.org:443"
    ws: ~
    basic_auth: ~
  - alias: localnet            # added by `soma start localnet`
    rpc: http://127.0.0.1:9000 # plain scalar with a comment
    basic_auth:
      username: me
      rpc: "https://nested.example"
  - alias: broken
    rpc: "ftp://nope"
active_env: testnet
active_address: "0x5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1"
"""


def _write_cli(config, vectors, aliases=True):
    config.mkdir(parents=True, exist_ok=True)
    (config / KEYSTORE_FILE).write_text(json.dumps([v["cli_keystore_entry_b64"] for v in vectors], indent=2))
    if aliases:
        rows = [{"alias": f"key-{i}", "public_key_base64": v["cli_aliases_public_key_base64"]}
                for i, v in enumerate(vectors)]
        (config / ALIASES_FILE).write_text(json.dumps(rows, indent=2))


def test_entry_encodings_match_the_cli_vectors(key_vectors):
    for v in key_vectors:
        secret = bytes.fromhex(v["secret_key_hex"])
        assert keystore_entry(secret) == v["cli_keystore_entry_b64"]
        assert decode_keystore_entry(v["cli_keystore_entry_b64"]) == secret
        assert public_key_entry(bytes.fromhex(v["public_key_hex"])) == v["cli_aliases_public_key_base64"]


def test_import_reads_keys_and_matches_aliases(tmp_path, key_vectors):
    config = tmp_path / "cli"
    _write_cli(config, key_vectors)
    keys = read_cli_keys(config)
    expected = [(f"key-{i}", "0x" + v["address"]) for i, v in enumerate(key_vectors)]
    assert [(k.alias, k.address) for k in keys] == expected
    assert keys[1].keypair.secret_key().hex() == key_vectors[1]["secret_key_hex"]
    assert key_vectors[1]["secret_key_hex"] not in repr(keys)


def test_import_without_aliases_and_from_env_dir(tmp_path, monkeypatch, key_vectors):
    config = tmp_path / "env-config"
    _write_cli(config, key_vectors, aliases=False)
    monkeypatch.setenv("SOMA_CONFIG_DIR", str(config))
    assert cli_config_dir() == config
    assert [k.alias for k in read_cli_keys()] == [None, None]
    monkeypatch.delenv("SOMA_CONFIG_DIR")
    assert cli_config_dir() == Path.home() / ".soma" / "soma_config"
    assert read_cli_keys() == []


def test_export_appends_atomically_and_round_trips(tmp_path, key_vectors):
    config = tmp_path / "cli"
    _write_cli(config, key_vectors[:1])
    secret = bytes.fromhex(key_vectors[1]["secret_key_hex"])
    result = export_to_cli(secret, "desktop.main", config)
    assert result.added and result.alias == "desktop.main"
    keystore = json.loads((config / KEYSTORE_FILE).read_text())
    assert keystore == [key_vectors[0]["cli_keystore_entry_b64"], key_vectors[1]["cli_keystore_entry_b64"]]
    aliases = json.loads((config / ALIASES_FILE).read_text())
    assert aliases == [{"alias": "key-0", "public_key_base64": key_vectors[0]["cli_aliases_public_key_base64"]},
                       {"alias": "desktop.main", "public_key_base64": key_vectors[1]["cli_aliases_public_key_base64"]}]
    for name in (KEYSTORE_FILE, ALIASES_FILE):
        assert stat.S_IMODE(os.stat(config / name).st_mode) == 0o600
    assert [k.alias for k in read_cli_keys(config)] == ["key-0", "desktop.main"]
    again = export_to_cli(secret, "other-name", config)
    assert not again.added and again.alias == "desktop.main"
    assert not [p for p in config.iterdir() if p.name.endswith(".tmp")]


def test_export_validates_aliases_and_keeps_existing_ones(tmp_path, key_vectors):
    config = tmp_path / "cli"
    _write_cli(config, key_vectors[:1])
    before = (config / ALIASES_FILE).read_bytes()
    with pytest.raises(CliKeystoreError):
        export_to_cli(bytes(range(32)), "key-0", config)  # taken
    for bad in ("1abc", "has space", "", "a/b"):
        with pytest.raises(CliKeystoreError):
            export_to_cli(bytes(range(32)), bad, config)
    assert (config / ALIASES_FILE).read_bytes() == before


def test_export_into_empty_dir_and_keys_without_alias(tmp_path, key_vectors):
    fresh = tmp_path / "fresh" / "soma_config"
    export_to_cli(bytes(range(32)), "first", fresh)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o700
    assert [k.alias for k in read_cli_keys(fresh)] == ["first"]
    legacy = tmp_path / "legacy"
    _write_cli(legacy, key_vectors, aliases=False)
    export_to_cli(bytes(range(32)), "mine", legacy)
    aliases = [k.alias for k in read_cli_keys(legacy)]
    assert aliases[2] == "mine" and all(a and a.startswith("key-") for a in aliases[:2])
    assert len(set(aliases)) == 3


def test_malformed_files_give_clean_errors(tmp_path, key_vectors):
    config = tmp_path / "cli"
    config.mkdir()
    secret_b64 = key_vectors[0]["cli_keystore_entry_b64"]
    flagged_bls = base64.b64encode(b"\x01" + bytes(32)).decode()
    for content in ("{", "{}", '["not base64!"]', json.dumps([flagged_bls]), json.dumps([secret_b64[:-4]]), "[1]"):
        (config / KEYSTORE_FILE).write_text(content)
        with pytest.raises(CliKeystoreError) as info:
            read_cli_keys(config)
        assert secret_b64 not in str(info.value)
    (config / KEYSTORE_FILE).write_text(json.dumps([secret_b64]))
    dup = [{"alias": "a", "public_key_base64": key_vectors[0]["cli_aliases_public_key_base64"]}] * 2
    (config / ALIASES_FILE).write_text(json.dumps(dup))
    with pytest.raises(CliKeystoreError, match="repeats"):
        read_cli_keys(config)


def test_client_yaml_envs(tmp_path):
    assert parse_client_envs(CLIENT_YAML) == [("testnet", "https://fullnode.testnet.soma.org:443"),
                                             ("localnet", "http://127.0.0.1:9000")]
    assert parse_client_active_env(CLIENT_YAML) == "testnet"
    unindented = "envs:\n- alias: 'local'\n  rpc: 'http://127.0.0.1:9000'\nactive_env: local\n"
    assert parse_client_envs(unindented) == [("local", "http://127.0.0.1:9000")]
    dash_alone = "envs:\n  -\n    alias: x\n    rpc: https://x.example\n"
    assert parse_client_envs(dash_alone) == [("x", "https://x.example")]
    assert parse_client_envs("envs: []\n") == []
    config = tmp_path / "cli"
    config.mkdir()
    assert read_cli_envs(config) == [] and read_cli_active_env(config) is None
    (config / "client.yaml").write_text(CLIENT_YAML)
    assert read_cli_envs(config)[0] == ("testnet", "https://fullnode.testnet.soma.org:443")
    assert read_cli_active_env(config) == "testnet"


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=5))
def test_keystore_json_round_trip(secrets):
    text = json.dumps([keystore_entry(s) for s in secrets], indent=2)
    assert parse_keystore(text) == secrets


@settings(max_examples=200)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=60),
                    lambda inner: (st.lists(inner, max_size=4)
                                   | st.dictionaries(st.text(max_size=20), inner, max_size=4)),
                    max_leaves=12))
def test_keystore_and_alias_parsers_only_raise_their_error(value):
    text = json.dumps(value)
    for parser in (parse_keystore, parse_aliases):
        try:
            parser(text)
        except CliKeystoreError:
            pass


@given(st.text(max_size=400))
def test_client_yaml_parser_never_crashes_and_returns_http_urls(text):
    for alias, rpc in parse_client_envs("envs:\n" + text):
        assert alias and rpc.startswith(("http://", "https://")) and not any(c.isspace() for c in rpc)
    parse_client_active_env(text)


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9\-_.]{0,30}", fullmatch=True))
def test_valid_aliases_pass(alias):
    assert validate_alias(alias) == alias


def test_exported_key_is_readable_back_as_the_same_signer(tmp_path):
    kp = KeyPair(bytes(range(32)))
    export_to_cli(kp.secret_key(), "x", tmp_path / "c")
    assert read_cli_keys(tmp_path / "c")[0].keypair == kp


def test_huge_integers_and_deep_nesting_are_parse_errors():
    for text in ("[" + "1" * 5000 + "]", "[" * 100_000 + "]" * 100_000):
        for parser in (parse_keystore, parse_aliases):
            with pytest.raises(CliKeystoreError):
                parser(text)


def test_export_refuses_a_malformed_keystore_without_touching_it(tmp_path):
    config = tmp_path / "cli"
    config.mkdir()
    for content in ("[" + "1" * 5000 + "]", "[" * 100_000, '["AAAA"]'):
        (config / KEYSTORE_FILE).write_text(content)
        with pytest.raises(CliKeystoreError):
            export_to_cli(bytes(range(32)), "x", config)
        assert (config / KEYSTORE_FILE).read_text() == content
        assert not (config / ALIASES_FILE).exists()
