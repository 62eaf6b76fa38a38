"""The similar-tickets vocabulary: stems, stop words, weights, and stemming from many threads."""

import math
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from ticket_app.similarity import terms


def test_words_become_stems_and_chatter_goes():
    counted = terms.count("Refunds please", "Hello, I was refunded twice; please help!")
    assert counted.counts == {"refund": 3, "twice": 1}  # title words count twice
    assert counted.words["refund"] == "refunds"


def test_a_document_is_a_unit_vector_of_its_heaviest_terms():
    vector = terms.document("VPN", "vpn drops " + " ".join(f"word{n}" for n in range(60)))
    assert len(vector) == terms.MAX_TERMS
    assert math.isclose(sum(weight * weight for weight in vector.values()), 1.0)
    assert max(vector, key=vector.get) == terms.key("vpn")
    assert terms.document("", "please help me") == {}


def test_stemming_from_many_threads_gives_what_one_thread_does():
    """The API stems in a pool of threads; a stemmer shared between them mixes words up."""
    words = [
        f"{root}{n}{suffix}"
        for n in range(300)
        for root in ("connectional", "deliverabl", "refundation")
        for suffix in ("izing", "ements", "ively")
    ]
    one = snowballstemmer.stemmer("english")
    expected = [one.stemWord(word) for word in words]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(terms.stem.__wrapped__, words)) == expected
