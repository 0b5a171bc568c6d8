"""core.crypto against the interop vectors produced by soma-sdk, cryptography and hashlib."""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.core import crypto


def test_blake2b_commitments(vectors):
    for case in vectors["blake2b_commitment"]:
        data = bytes.fromhex(case["input_hex"])
        assert crypto.blake2b256(data).hex() == case["blake2b256_hex"]
        assert crypto.commitment(data) == case["commitment_b58"]


def test_aes_ctr_zero_iv(vectors):
    case = vectors["aes256_ctr_zero_iv"]
    key = bytes.fromhex(case["key_hex"])
    assert crypto.decode_key(case["key_b58"]) == key
    plain = bytes.fromhex(case["plaintext_hex"])
    cipher = crypto.aes_ctr(key, plain)
    assert cipher.hex() == case["ciphertext_hex"]
    assert crypto.aes_ctr(key, cipher) == plain
    assert crypto.commitment(cipher) == case["checksum_b58"]
    assert crypto.b58encode(crypto.key_commitment(key)) == case["decryption_key_commitment_b58"]


def test_ctr_stream_resumes_at_any_offset(vectors):
    case = vectors["aes256_ctr_zero_iv"]
    key, plain = bytes.fromhex(case["key_hex"]), bytes.fromhex(case["plaintext_hex"])
    whole = crypto.aes_ctr(key, plain)
    for offset in (1, 15, 16, 17, 63, 99):
        assert crypto.CtrStream(key, offset).update(plain[offset:]) == whole[offset:]


def test_encrypt_file_streams_and_hashes(tmp_path, monkeypatch):
    monkeypatch.setattr(crypto, "STREAM_CHUNK", 1000)   # force many chunks
    src = tmp_path / "w.safetensors"
    src.write_bytes(os.urandom(12_345))
    key = crypto.new_weights_key()
    seen = []
    result = crypto.encrypt_file(src, tmp_path / "w.enc", key, progress=lambda d, t: seen.append((d, t)))
    enc = (tmp_path / "w.enc").read_bytes()
    assert enc == crypto.aes_ctr(key, src.read_bytes())
    assert result.checksum == crypto.blake2b256(enc) and result.size == 12_345
    assert seen[-1] == (12_345, 12_345) and len(seen) == 13
    assert not list(tmp_path.glob("*.partial"))


def test_encrypt_file_cancel_leaves_nothing(tmp_path):
    src = tmp_path / "w"
    src.write_bytes(b"x" * 10)
    with pytest.raises(InterruptedError):
        crypto.encrypt_file(src, tmp_path / "w.enc", bytes(32), cancelled=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


def test_embedding_bcs(vectors):
    for case in vectors["embedding_bcs"]:
        bcs = crypto.bcs_soma_tensor(case["embedding"])
        assert bcs.hex() == case["bcs_hex"] and len(bcs) == case["bcs_len"]
        assert crypto.b58encode(crypto.embedding_commitment(case["embedding"])) == case["embedding_commitment_b58"]
        values, shape = crypto.decode_bcs_soma_tensor(bcs)
        assert shape == tuple(case["shape"]) and values == crypto.f32_round(case["embedding"])


def test_derive_id_and_target_seed(vectors):
    for case in vectors["derive_id_and_target_seed"]["cases"]:
        digest = bytes.fromhex(case["tx_digest_hex"])
        assert crypto.derive_id(digest, case["n"]) == case["derive_id"]
        assert crypto.make_target_seed(digest, case["n"]) == case["make_target_seed"]


@given(st.binary(max_size=80))
def test_base58_round_trip(data):
    assert crypto.b58decode(crypto.b58encode(data)) == data


@given(st.lists(st.floats(width=32, allow_nan=False), max_size=40))
def test_bcs_round_trip(values):
    decoded, shape = crypto.decode_bcs_soma_tensor(crypto.bcs_soma_tensor(values))
    assert list(decoded) == values and shape == (len(values),)


@pytest.mark.parametrize("bad", ["0OIl", "abc!", "ab c"])
def test_base58_rejects(bad):
    with pytest.raises(ValueError):
        crypto.b58decode(bad)


def test_decode_key_length():
    with pytest.raises(ValueError, match="32 bytes"):
        crypto.decode_key(bytes(31))
    with pytest.raises(ValueError):
        crypto.decode_bcs_soma_tensor(b"\x01\x00")
