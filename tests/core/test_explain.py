"""Plain-words errors: technical messages become what happened + what to do; the original is kept as details."""

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.core.explain import explain


def test_absurd_weights_header_is_explained_with_the_file_name():
    text = ("junk.safetensors is not a usable V1 model: weights header declares 8388068007924081186 bytes; the "
            "limit is 16777216")
    plain, details = explain(text)
    assert plain.startswith("junk.safetensors is not a usable V1 model. This file is not a SOMA model weights file")
    assert "8388068007924081186" not in plain and details == text


def test_truncated_and_permission():
    assert "incomplete" in explain("weights file is truncated: the header declares 10 data bytes, found 3")[0]
    assert "permission denied" in explain("[Errno 13] Permission denied: '/x'")[0]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_unknown_text_passes_through(text):
    plain, details = explain(text)
    assert (plain, details) == (text, "") or details == text
