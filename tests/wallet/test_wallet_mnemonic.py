from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from soma_desktop.wallet.mnemonic import (
    ConfirmChallenge,
    MnemonicError,
    generate_mnemonic,
    is_valid_mnemonic,
    mnemonic_to_seed,
    split_words,
    suggest_words,
    validate_mnemonic,
    wordlist,
)
from tests.wallet.wallet_helpers import ABANDON

TREZOR_SEED = ("c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf14"
               "1630c7a3c4ab7c81b2f001698e7463b04")
_BIP39 = Mnemonic("english")


def test_bip39_vector_0_with_trezor_passphrase():
    assert mnemonic_to_seed(ABANDON, "TREZOR").hex() == TREZOR_SEED


def test_seed_matches_reference_library_for_the_interop_vectors(key_vectors):
    for vector in key_vectors:
        assert mnemonic_to_seed(vector["mnemonic"]) == _BIP39.to_seed(vector["mnemonic"], "")


@pytest.mark.parametrize("words", [12, 24])
def test_generated_phrases_have_the_length_and_a_valid_checksum(words):
    phrase = generate_mnemonic(words)
    assert len(phrase.split()) == words
    assert validate_mnemonic(phrase) == phrase
    assert _BIP39.check(phrase)
    assert generate_mnemonic(words) != phrase


def test_generation_refuses_other_lengths():
    with pytest.raises(ValueError):
        generate_mnemonic(15)


def test_unknown_word_error_names_the_position_not_the_word():
    words = ABANDON.split()
    words[4] = "abandn"
    with pytest.raises(MnemonicError) as info:
        validate_mnemonic(" ".join(words))
    assert info.value.position == 5
    assert "Word 5" in str(info.value)
    assert "abandn" not in str(info.value)


def test_checksum_failure_is_reported():
    bad = ABANDON.replace("about", "abandon")
    with pytest.raises(MnemonicError, match="checksum"):
        validate_mnemonic(bad)
    assert not is_valid_mnemonic(bad)


def test_word_count_and_normalisation():
    with pytest.raises(MnemonicError, match="has 11"):
        validate_mnemonic(" ".join(ABANDON.split()[:11]))
    messy = "  " + ABANDON.upper().replace(" ", " \n\t ") + "  "
    assert validate_mnemonic(messy) == ABANDON


def test_suggestions_complete_prefixes():
    assert suggest_words("aba") == ["abandon"]
    assert suggest_words("") == []
    assert all(w.startswith("zo") for w in suggest_words("zo"))


def test_confirm_challenge_accepts_right_words_and_lists_wrong_ones():
    phrase = generate_mnemonic(12)
    words = phrase.split()
    challenge = ConfirmChallenge.pick(phrase, 3)
    assert len(set(challenge.positions)) == 3
    assert all(1 <= p <= 12 for p in challenge.positions)
    right = {p: words[p - 1] for p in challenge.positions}
    assert challenge.check(phrase, {p: f"  {w.upper()} " for p, w in right.items()})
    first = challenge.positions[0]
    wrong = dict(right)
    wrong[first] = "zoo" if words[first - 1] != "zoo" else "zone"
    assert challenge.wrong_positions(phrase, wrong) == [first]
    missing = {p: w for p, w in right.items() if p != first}
    assert challenge.wrong_positions(phrase, missing) == [first]


@given(st.binary(min_size=16, max_size=16) | st.binary(min_size=32, max_size=32))
def test_any_entropy_gives_a_valid_phrase_and_matching_seed(entropy):
    phrase = _BIP39.to_mnemonic(entropy)
    assert validate_mnemonic(phrase) == phrase
    assert mnemonic_to_seed(phrase, "x") == _BIP39.to_seed(phrase, "x")


@settings(max_examples=200)
@given(st.text(max_size=300) | st.lists(st.sampled_from(wordlist()), min_size=11, max_size=25).map(" ".join))
def test_validator_only_ever_raises_mnemonic_error(text):
    try:
        out = validate_mnemonic(text)
    except MnemonicError:
        assert not _BIP39.check(" ".join(split_words(text)))
        return
    assert _BIP39.check(out)
