"""Syndicated copies: normalised text, word shingles, MinHash signatures and LSH band keys.

Pure functions and one small class, no I/O: the pipeline (``newscrawl.pipelines.syndication``)
looks the keys up in the seen-store. The method, what it catches and what it misses, and the
figures behind the defaults are in docs/SYNDICATION.md.

MinHash follows datasketch 2.0's ``affine32`` scheme value for value (a fixed seed; a test
compares the two): a story's signature is the minimum of ``num_perm`` hash permutations
over its set of word shingles, and two signatures agree in a position with probability
equal to the Jaccard similarity of the two sets. The
signature is cut into ``bands`` bands of ``rows`` values; each band hashes to one key, and
two stories that share any key are candidates (LSH, Leskovec et al., *Mining of Massive
Datasets*, ch. 3). Candidates are then checked on the whole signature, kept as its lowest
8 bits per value (b-bit minwise hashing, Li and König, WWW 2010): a quarter of the bytes,
and the chance that two bytes agree by accident (1/256) is taken out of the estimate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Bump when normalisation or shingling changes: fingerprints made by another version
#: cannot be compared, and the store refuses to mix them (see ``Fingerprinter.params``).
METHOD_VERSION = "1"
#: datasketch's name for the hash scheme computed here (``Fingerprinter.minhash``).
SCHEME = "affine32"

# A wire dateline at the start of a text: "ISLAMABAD (Reuters) - ", "SINGAPORE, June 2
# (Reuters) - ", "ABU DHABI: ", "GAZA/GENEVA, May 22 (Reuters) — ". A publisher adds or
# drops it; it says where the story was filed, not what it says.
_DATELINE_EN = re.compile(
    r"^\s*[A-Z][A-Z'./ -]{1,40}"  # the place, in capitals
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # ", June 2"
    r"\s*(?:\([A-Za-z .-]{2,30}\))?"  # "(Reuters)"
    r"\s*(?:[-–—:]\s+)"
)
# Arabic: "الرياض - رويترز: ", "دبي - وام: ", "دبي: " (at most three words before the colon).
_DATELINE_AR = re.compile(
    r"^\s*[\u0621-\u064a]+(?: [\u0621-\u064a]+){0,2}"
    r"(?:\s*[-–—]\s*[\u0621-\u064a]+(?: [\u0621-\u064a]+){0,2})?\s*:\s+"
)
# Letters Arabic writes in more than one way; NFKD already splits hamza and madda off alef.
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None})
# Combining marks of the two languages crawled: Latin accents; Arabic short vowels, shadda,
# sukun, hamza and madda (split off alef by NFKD), Quranic marks. A regex, not a loop over
# unicodedata.combining(): five times faster on a story.
_MARKS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_WORD = re.compile(r"\w+")


def strip_dateline(text: str) -> str:
    """*text* without a leading wire dateline, if it starts with one."""
    for pattern in (_DATELINE_EN, _DATELINE_AR):
        m = pattern.match(text)
        # A dateline is followed by the story; a "dateline" that is the whole text is not one.
        if m and len(text) - m.end() > 40:
            return text[m.end() :]
    return text


def tokens(text: str) -> list[str]:
    """Words of *text*, case-folded, without accents, Arabic spellings folded, ASCII digits."""
    if text.isascii():  # most English text: nothing to fold but the case
        return _WORD.findall(text.casefold())
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).translate(_ARABIC_FOLD)
    words = _WORD.findall(text.casefold())
    # \w+ keeps Arabic-Indic digits as they are; fold them so "٢٠٢٥" is "2025".
    return [w if w.isascii() else _ascii_digits(w) for w in words]


def _ascii_digits(word: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in word)


def story_text(title: str | None, excerpt: str | None, body: str | None) -> list[str]:
    """The words a story is compared on: its title, excerpt and body (when fetched)."""
    words = tokens(title) if title else []
    for part in (excerpt, body):
        if part:
            words += tokens(strip_dateline(part))
    return words


def shingles(words: Sequence[str], size: int) -> set[bytes]:
    """The set of *size*-word shingles; a text shorter than *size* is one shingle."""
    if not words:
        return set()
    if len(words) <= size:
        return {" ".join(words).encode()}
    # Each word with the next size - 1 words (zip stops at the shortest: the last shingle),
    # joined and encoded by map(): a fifth faster than a comprehension that slices and joins.
    windows = zip(*(words[i:] for i in range(size)), strict=False)
    return set(map(str.encode, map(" ".join, windows)))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A story's signature (one byte per permutation), its band keys and its shingle count."""

    signature: bytes
    keys: tuple[int, ...]  # one key per band, under 2**47 (six bytes in SQLite)
    size: int


def _estimate(agree: float) -> float:
    """Jaccard similarity from the share of signature bytes two stories have in common.

    Two bytes of unrelated values agree 1 time in 256: E[agree] = J + (1 - J) / 256.
    """
    return max(0.0, (agree - 1 / 256) / (1 - 1 / 256))


def jaccard(a: bytes, b: bytes) -> float:
    """Jaccard similarity of two stories' shingle sets, estimated from their signatures."""
    x, y = np.frombuffer(a, dtype=np.uint8), np.frombuffer(b, dtype=np.uint8)
    return _estimate(np.count_nonzero(x == y) / len(x))


def most_similar(signature: bytes, others: Sequence[bytes]) -> tuple[int, float]:
    """The index in *others* of the signature most similar to *signature* (the first, on a
    tie), and its estimated Jaccard similarity: :func:`jaccard` over all of them at once."""
    x = np.frombuffer(signature, dtype=np.uint8)
    m = np.frombuffer(b"".join(others), dtype=np.uint8).reshape(len(others), len(x))
    agree = np.count_nonzero(m == x, axis=1) / len(x)
    best = int(np.argmax(agree))
    return best, _estimate(float(agree[best]))


class Fingerprinter:
    """Turns a story's text into a :class:`Fingerprint` with fixed parameters."""

    def __init__(
        self, *, num_perm: int = 128, bands: int = 32, shingle_size: int = 3, seed: int = 1
    ) -> None:
        if num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a multiple of bands ({bands})")
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.shingle_size = shingle_size
        self.seed = seed
        # The affine permutations h -> a*h + b (mod 2**32, a odd), drawn as datasketch draws
        # them for this seed.
        gen = np.random.RandomState(seed)
        self._a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        self._b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        # Band hashing: multiply-shift (Dietzfelbinger et al.) over each band's values with
        # odd 64-bit multipliers, one set per band, from a fixed seed; the top 47 bits kept.
        rng = np.random.default_rng(seed)
        self._multipliers = rng.integers(0, 2**63, size=(bands, self.rows), dtype=np.uint64)
        self._multipliers = self._multipliers * np.uint64(2) + np.uint64(1)
        self._offsets = rng.integers(0, 2**63, size=bands, dtype=np.uint64)

    @property
    def params(self) -> str:
        """What a stored fingerprint depends on: two stores with other params can't mix."""
        return (
            f"v{METHOD_VERSION} {SCHEME} seed={self.seed} num_perm={self.num_perm}"
            f" bands={self.bands} shingle={self.shingle_size}"
        )

    def fingerprint_words(self, words: Sequence[str]) -> Fingerprint | None:
        """The fingerprint of a text given as words; None if it has no words."""
        grams = shingles(words, self.shingle_size)
        if not grams:
            return None
        values = self.minhash(grams)
        low_bytes = (values & 0xFF).astype(np.uint8).tobytes()
        return Fingerprint(low_bytes, self.band_keys(values), len(grams))

    def minhash(self, grams: set[bytes]) -> np.ndarray:
        """The MinHash signature of a set of shingles: ``num_perm`` uint32 values.

        datasketch's ``affine32``: each shingle's hash (the first 4 bytes of its SHA-1,
        little-endian) is mixed by MurmurHash3's finaliser, then every permutation is
        applied to every shingle in one matrix operation and the minimum kept per
        permutation. Computed here rather than through datasketch: the same values in half
        the time, and no scipy import (datasketch's own LSH needs it; we do not).
        """
        sha1 = hashlib.sha1
        hv = np.frombuffer(b"".join([sha1(g).digest()[:4] for g in grams]), dtype="<u4")
        hv = hv.astype(np.uint32)  # native order, writable
        hv ^= hv >> np.uint32(16)
        hv *= np.uint32(0x85EBCA6B)
        hv ^= hv >> np.uint32(13)
        hv *= np.uint32(0xC2B2AE35)
        hv ^= hv >> np.uint32(16)
        # uint32 arithmetic wraps: that is the mod 2**32 of the permutations.
        return (hv[:, None] * self._a + self._b).min(axis=0)

    def fingerprint(
        self, title: str | None, excerpt: str | None, body: str | None = None
    ) -> Fingerprint | None:
        return self.fingerprint_words(story_text(title, excerpt, body))

    def band_keys(self, values: np.ndarray) -> tuple[int, ...]:
        """One key per band of the full 32-bit values."""
        bands = values.astype(np.uint64).reshape(self.bands, self.rows)
        # Each band has its own multipliers and offset: equal values in two bands are no
        # match. uint64 array arithmetic wraps (mod 2**64, no overflow check on arrays),
        # which is what multiply-shift wants.
        mixed = (bands * self._multipliers).sum(axis=1, dtype=np.uint64) + self._offsets
        # 47 bits: SQLite stores them in six bytes. Two different bands share a key by
        # accident about once in 10**14 tries: a million stories give no false candidate.
        return tuple((mixed >> np.uint64(17)).tolist())


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that two stories of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - similarity**rows) ** bands
