"""`wordcount`: counting words (runs of letters, digits and apostrophes,
lower-cased), the most frequent words, and counting in parallel threads."""

from __future__ import annotations

import collections
import random
import threading
import time

import pytest

from conftest import FREE_THREADED_BUILD, THREAD_TIMEOUT, gil_enabled
import wordcount
from wordcount import count_words, top_words


def reference_count(text: str) -> dict[str, int]:
    """The documented rule, in Python: runs of alphanumerics and
    apostrophes, lower-cased."""
    counts: collections.Counter[str] = collections.Counter()
    word: list[str] = []
    for c in text + " ":
        if c.isalnum() or c == "'":
            word.append(c)
        elif word:
            counts["".join(word).lower()] += 1
            word = []
    return dict(counts)


# ---------------------------------------------------------------- count_words


@pytest.mark.force_parallel_threads(4)
def test_count_words_basic():
    counts = count_words("the cat and the hat")
    assert counts == {"the": 2, "cat": 1, "and": 1, "hat": 1}
    assert type(counts) is dict
    assert all(type(v) is int for v in counts.values())


def test_count_words_empty_and_separators_only():
    assert count_words("") == {}
    assert count_words("   \t\n ,,, --- !!! ") == {}
    assert count_words("🐍🐍 🐍") == {}


def test_count_words_case_is_folded():
    assert count_words("Hello hello HELLO hElLo") == {"hello": 4}


def test_count_words_apostrophes_belong_to_words():
    assert count_words("don't stop, can't stop, won't stop") == {
        "don't": 1,
        "can't": 1,
        "won't": 1,
        "stop": 3,
    }
    assert count_words("It's JOHN'S book") == {"it's": 1, "john's": 1, "book": 1}
    # Leading and trailing apostrophes are part of the run, too.
    assert count_words("'quoted' quoted") == {"'quoted'": 1, "quoted": 1}
    assert count_words("''") == {"''": 1}
    # Only the ASCII apostrophe: a typographic one separates words.
    assert count_words("don\u2019t") == {"don": 1, "t": 1}


def test_count_words_separators():
    assert count_words("a,b;c\td\ne--f.g(h)i/j_k") == {
        c: 1 for c in "abcdefghijk"
    }
    assert count_words("route 66, route 66!") == {"route": 2, "66": 2}
    assert count_words("abc123 123abc") == {"abc123": 1, "123abc": 1}


def test_count_words_unicode():
    assert count_words("Café CAFÉ café") == {"café": 3}
    assert count_words("naïve Zoë ÉCOLE école") == {"naïve": 1, "zoë": 1, "école": 2}
    assert count_words("Straße STRASSE straße") == {"straße": 2, "strasse": 1}
    assert count_words("日本語 日本語、中文") == {"日本語": 2, "中文": 1}
    assert count_words("Привет, МИР! мир") == {"привет": 1, "мир": 2}
    assert count_words("٣ ٣") == {"٣": 2}  # Arabic-Indic digit three
    assert count_words("snake🐍case") == {"snake": 1, "case": 1}


def test_count_words_matches_the_documented_rule():
    rng = random.Random(1234)
    alphabet = "abcXYZ éÉßü日'0123 \t\n,.;!?-🐍"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
        assert count_words(text) == reference_count(text), repr(text)


def test_count_words_errors():
    with pytest.raises(TypeError, match=r"\Aargument 'text': "):
        count_words(b"bytes are not text")
    with pytest.raises(TypeError, match=r"\Aargument 'text': "):
        count_words(None)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'text'\Z"):
        count_words()
    with pytest.raises(UnicodeEncodeError):
        count_words("lone \udc80 surrogate")


# ---------------------------------------------------------------- top_words


@pytest.mark.force_parallel_threads(4)
def test_top_words_ordering():
    counts = {"b": 2, "a": 2, "c": 3, "d": 1, "e": 2}
    assert top_words(counts, 3) == [("c", 3), ("a", 2), ("b", 2)]
    assert top_words(counts, 10) == [("c", 3), ("a", 2), ("b", 2), ("e", 2), ("d", 1)]
    assert top_words(counts, 0) == []
    assert top_words({}, 5) == []
    result = top_words(counts, 1)
    assert type(result) is list and type(result[0]) is tuple


def test_top_words_ties_are_alphabetical_by_code_point():
    counts = {"zeta": 1, "Alpha": 1, "alpha": 1, "Ärger": 1, "beta": 1, "日": 1}
    expected = sorted(counts)  # Python orders str by code point too
    assert [w for w, _ in top_words(counts, 10)] == expected


def test_top_words_matches_python_sort():
    rng = random.Random(99)
    words = [f"w{rng.randrange(500)}" for _ in range(5000)]
    counts = dict(collections.Counter(words))
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for n in (0, 1, 7, 100, len(counts), len(counts) + 10):
        assert top_words(counts, n) == expected[:n]


def test_top_words_of_count_words():
    text = "the quick brown fox jumps over the lazy dog the fox"
    assert top_words(count_words(text), 2) == [("the", 3), ("fox", 2)]
    assert top_words(collections.Counter(text.split()), 1) == [("the", 3)]


def test_top_words_errors():
    with pytest.raises(OverflowError):
        top_words({"a": 1}, -1)
    with pytest.raises(OverflowError):
        top_words({"a": -1}, 1)  # counts are unsigned
    with pytest.raises(TypeError, match=r"\Aargument 'counts': "):
        top_words({1: 1}, 1)
    with pytest.raises(TypeError, match=r"\Aargument 'counts': "):
        top_words({"a": "one"}, 1)
    with pytest.raises(TypeError, match=r"\Aargument 'counts': "):
        top_words([("a", 1)], 1)


def test_gil_status_in_process():
    status = wordcount.gil_status()
    assert set(status) == {"free_threaded_build", "enabled", "enabled_by"}
    assert status["free_threaded_build"] is FREE_THREADED_BUILD
    assert status["enabled"] is gil_enabled()
    assert status["enabled_by"] == []


# ---------------------------------------------------------------- threads


def make_corpus(words: int, seed: int = 2024) -> str:
    rng = random.Random(seed)
    vocabulary = [
        "the", "and", "of", "to", "a", "in", "is", "it", "you", "that",
        "don't", "can't", "it's", "Café", "CAFÉ", "naïve", "Straße", "日本語",
        "Привет", "route66", "o'clock", "rock'n'roll",
    ] + [f"word{i}" for i in range(2000)]
    separators = [" ", " ", " ", ", ", ". ", "\n", "\t", " -- ", "! "]
    # Zipf-like: a few very frequent words, a long tail.
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    chosen = rng.choices(vocabulary, weights=weights, k=words)
    return "".join(w + rng.choice(separators) for w in chosen)


def split_on_whitespace(text: str, parts: int) -> list[str]:
    """``parts`` slices of ``text``, each cut at a space so no word is split."""
    slices = []
    start = 0
    for k in range(1, parts):
        cut = text.find(" ", max(start, len(text) * k // parts))
        if cut < 0:
            cut = len(text)
        slices.append(text[start:cut])
        start = cut
    slices.append(text[start:])
    assert "".join(slices) == text
    return slices


@pytest.mark.thread_unsafe(reason="starts its own threads and times them")
def test_threaded_count_matches_single_threaded():
    threads = 8
    corpus = make_corpus(400_000)
    slices = split_on_whitespace(corpus, threads)

    began = time.perf_counter()
    whole = count_words(corpus)
    one_call = time.perf_counter() - began

    began = time.perf_counter()
    sequential: collections.Counter[str] = collections.Counter()
    for part in slices:
        sequential.update(count_words(part))
    one_thread = time.perf_counter() - began

    results: list[dict[str, int] | None] = [None] * threads
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def work(index: int) -> None:
        try:
            barrier.wait(THREAD_TIMEOUT)
            results[index] = count_words(slices[index])
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for t in workers:
        t.start()
    barrier.wait(THREAD_TIMEOUT)
    began = time.perf_counter()
    for t in workers:
        t.join(THREAD_TIMEOUT)
    n_threads = time.perf_counter() - began
    assert not any(t.is_alive() for t in workers), "a counting thread is stuck"
    assert errors == []

    merged: collections.Counter[str] = collections.Counter()
    for part in results:
        assert part is not None
        merged.update(part)

    assert dict(merged) == whole
    assert dict(sequential) == whole
    assert sum(whole.values()) == 400_000
    assert whole["don't"] > 0 and whole["rock'n'roll"] > 0
    assert whole["café"] > 0 and "Café" not in whole and "CAFÉ" not in whole
    assert top_words(dict(merged), 10) == top_words(whole, 10)

    mode = "free-threaded" if not gil_enabled() else "GIL"
    print(
        f"\n[{mode}] wordcount of {len(corpus):,} chars: one call {one_call:.3f} s, "
        f"{threads} slices on 1 thread {one_thread:.3f} s, on {threads} threads "
        f"{n_threads:.3f} s (speed-up {one_thread / n_threads:.2f}x)"
    )


@pytest.mark.thread_unsafe(reason="starts its own threads")
def test_threads_share_one_text():
    # Many threads borrow the same str object at once.
    text = make_corpus(20_000, seed=7)
    expected = count_words(text)
    results: list[dict[str, int] | None] = [None] * 8
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for _ in range(5):
                results[index] = count_words(text)
                assert results[index] == expected
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(8)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(THREAD_TIMEOUT)
    assert not any(t.is_alive() for t in workers)
    assert errors == []
    assert all(r == expected for r in results)


@pytest.mark.force_parallel_threads(4)
def test_parallel_count_words():
    text = "One two two three three three " * 100
    for _ in range(50):
        assert count_words(text) == {"one": 100, "two": 200, "three": 300}
