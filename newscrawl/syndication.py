"""Syndicated copies: normalised text, word shingles, MinHash signatures and LSH band keys.

Pure functions and two small classes, no I/O: the pipeline (``newscrawl.pipelines.syndication``)
looks the keys up in the seen-store. The method, what it catches and what it misses, and the
figures behind the defaults are in docs/SYNDICATION.md.

A story's signature is the minimum of ``num_perm`` hash permutations over its set of word
shingles (MinHash): two signatures agree in a position with probability equal to the
Jaccard similarity of the two sets. The permutations are datasketch 2.0's ``affine32``
(``a*h + b mod 2**32`` with datasketch's draws for the seed). What the two methods differ in
is the 32-bit hash of a shingle:

* method 2 (:class:`Fingerprinter`, ``METHOD_VERSION``): each word is hashed once with
  XXH3-64 and a shingle's hash is the top 32 bits of a fixed random linear combination of
  its words' hashes (mod 2**64), computed for all shingles in one numpy operation;
* method 1 (:class:`FingerprinterV1`): the first 4 bytes of the SHA-1 of the shingle's
  text, mixed by MurmurHash3's finaliser, which is datasketch's ``affine32`` value for value
  (a test compares the two). Kept to compare new stories with fingerprints a store holds
  from before method 2; a store records which method made them (``params``).

The signature is cut into ``bands`` bands of ``rows`` values; each band hashes to one key,
and two stories that share any key are candidates (LSH, Leskovec et al., *Mining of Massive
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
import xxhash

from newscrawl.stores import BAND_KEY_BITS

#: Bump when normalisation, shingling or hashing changes: fingerprints made by another
#: version cannot be compared, and a store holding them keeps being read with the method
#: that made them (see ``Fingerprinter.params``, :func:`fingerprinter_for`).
METHOD_VERSION = "2"

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
# Combining marks of the two languages crawled: Latin accents; Arabic short vowels, shadda,
# sukun, hamza and madda (split off alef by NFKD), Quranic marks.
_MARKS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# ASCII bytes that are not word characters (``\w``) become spaces, capitals small letters;
# bytes of other characters (UTF-8, all >= 0x80) are kept. ``split()`` then gives the words.
_ASCII_WORDS = bytes.maketrans(
    bytes(range(256)),
    bytes(c if c >= 0x80 or chr(c).isalnum() or c == 0x5F else 0x20 for c in range(256)).lower(),
)


def strip_dateline(text: str) -> str:
    """*text* without a leading wire dateline, if it starts with one."""
    for pattern in (_DATELINE_EN, _DATELINE_AR):
        m = pattern.match(text)
        # A dateline is followed by the story; a "dateline" that is the whole text is not one.
        if m and len(text) - m.end() > 40:
            return text[m.end() :]
    return text


def word_bytes(text: str) -> list[bytes]:
    """Words of *text* as UTF-8: case-folded, without accents, Arabic spellings folded,
    ASCII digits; a word is a run of ``\\w`` characters (punctuation does not count)."""
    if text.isascii():  # most English text: one pass in C over the bytes
        return text.encode().translate(_ASCII_WORDS).split()
    text = unicodedata.normalize("NFKD", text)
    # Each distinct character that is not ASCII is replaced by what it becomes (one pass in
    # C per character that changes): several times faster than regexes over the text.
    folded = _FOLDED.get
    for c in set(text).difference(_ASCII):
        to = folded(c)
        if to is None:
            to = _fold(c)
        if to != c:
            text = text.replace(c, to)
    # Whitespace is never a word character, and no byte of a multi-byte UTF-8 character is
    # ASCII: splitting the bytes splits exactly where \w+ runs end.
    return text.encode().translate(_ASCII_WORDS).split()


_ASCII = frozenset(map(chr, range(0x80)))
# Letters Arabic writes in more than one way (NFKD already split hamza and madda off alef).
_ARABIC_FOLD = {"ى": "ي", "ة": "ه", "ـ": ""}
#: What each character that is not ASCII becomes, once NFKD has been applied (filled as
#: characters are met: a few hundred in two languages).
_FOLDED: dict[str, str] = {}


def _fold(c: str) -> str:
    """What *c* becomes in a word list, in this order: a combining mark nothing, an Arabic
    spelling its usual form, anything else case-folded, then each digit its ASCII digit and
    each character that is not a word character (``\\w``: ``isalnum()`` or ``_``) a space.
    Case folding is per character, so folding each one is folding the text."""
    if _MARKS.fullmatch(c):
        to = ""
    elif c in _ARABIC_FOLD:
        to = _ARABIC_FOLD[c]
    else:
        to = "".join(
            str(unicodedata.digit(x)) if x.isdigit() else x if x.isalnum() or x == "_" else " "
            for x in c.casefold()
        )
    _FOLDED[c] = to
    return to


def tokens(text: str) -> list[str]:
    """Words of *text*, case-folded, without accents, Arabic spellings folded, ASCII digits."""
    return [w.decode() for w in word_bytes(text)]


def story_words(title: str | None, excerpt: str | None, body: str | None) -> list[bytes]:
    """The words a story is compared on, as UTF-8: its title, excerpt and body (when fetched)."""
    words = word_bytes(title) if title else []
    for part in (excerpt, body):
        if part:
            words += word_bytes(strip_dateline(part))
    return words


def story_text(title: str | None, excerpt: str | None, body: str | None) -> list[str]:
    """The words a story is compared on: its title, excerpt and body (when fetched)."""
    return [w.decode() for w in story_words(title, excerpt, body)]


def shingles(words: Sequence[str] | Sequence[bytes], size: int) -> set[bytes]:
    """The set of *size*-word shingles (words joined by a space, UTF-8); a text shorter
    than *size* is one shingle."""
    if not words:
        return set()
    encoded = [w if isinstance(w, bytes) else w.encode() for w in words]
    return _shingles(encoded, size)


def _shingles(words: list[bytes], size: int) -> set[bytes]:
    if len(words) <= size:
        return {b" ".join(words)}
    # Each word with the next size - 1 words (zip stops at the shortest: the last shingle).
    return set(map(b" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


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


def agreements(signature: bytes, others: Sequence[bytes]) -> np.ndarray:
    """How many bytes each of *others* has in common with *signature* (one int each)."""
    x = np.frombuffer(signature, dtype=np.uint8)
    m = np.frombuffer(b"".join(others), dtype=np.uint8).reshape(len(others), len(x))
    return np.count_nonzero(m == x, axis=1)


def similarity(agree: int, num_perm: int) -> float:
    """The estimated Jaccard similarity of two signatures of *num_perm* bytes that have
    *agree* bytes in common (what :func:`jaccard` and :func:`most_similar` give)."""
    return _estimate(agree / num_perm)


def most_similar(signature: bytes, others: Sequence[bytes]) -> tuple[int, float]:
    """The index in *others* of the signature most similar to *signature* (the first, on a
    tie), and its estimated Jaccard similarity: :func:`jaccard` over all of them at once."""
    agree = agreements(signature, others)
    best = int(np.argmax(agree))
    return best, similarity(int(agree[best]), len(signature))


_KEY_SHIFT = np.uint64(64 - BAND_KEY_BITS)  # 64-bit mix -> a band key
_S32 = np.uint64(32)


class Fingerprinter:
    """Turns a story's text into a :class:`Fingerprint` with fixed parameters (method 2)."""

    #: The method's version and name, recorded by the store with the parameters.
    method = METHOD_VERSION
    scheme = "xxh3-linear+affine32"

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
        # A shingle's hash: the top 32 bits of sum(m_i * hash(word_i)) mod 2**64, one odd
        # multiplier per place in the shingle (drawn after the band multipliers, so those
        # are the same as method 1's).
        place = rng.integers(0, 2**63, size=shingle_size, dtype=np.uint64)
        self._places = place * np.uint64(2) + np.uint64(1)

    @property
    def params(self) -> str:
        """What a stored fingerprint depends on: two stores with other params can't mix."""
        return (
            f"v{self.method} {self.scheme} seed={self.seed} num_perm={self.num_perm}"
            f" bands={self.bands} shingle={self.shingle_size}"
        )

    def fingerprint(
        self, title: str | None, excerpt: str | None, body: str | None = None
    ) -> Fingerprint | None:
        """The story's fingerprint; None if it has no words."""
        return self._fingerprint(story_words(title, excerpt, body))

    def fingerprint_words(self, words: Sequence[str] | Sequence[bytes]) -> Fingerprint | None:
        """The fingerprint of a text given as words; None if it has no words."""
        return self._fingerprint([w if isinstance(w, bytes) else w.encode() for w in words])

    def _fingerprint(self, words: list[bytes]) -> Fingerprint | None:
        hashes = self.shingle_hashes(words)
        if hashes is None:
            return None
        hashes.sort()  # for the count of distinct shingles; the minimum does not care
        size = 1 + int(np.count_nonzero(hashes[1:] != hashes[:-1]))
        values = self._minhash((hashes >> _S32).astype(np.uint32))
        return Fingerprint(values.astype(np.uint8).tobytes(), self.band_keys(values), size)

    def shingle_hashes(self, words: Sequence[bytes]) -> np.ndarray | None:
        """One 64-bit hash per shingle of *words* (each window, repeats included), whose top
        32 bits are the shingle's hash; None if there are no words.

        XXH3-64 of each word (one C call a word), then each window of ``shingle_size``
        words combined as sum(m_i * h_i) mod 2**64 by one np.convolve: no shingle string
        is built. Two different shingles get independent uniform values when their words'
        hashes are (each has a word in a place the other has not, times an odd multiplier).
        """
        n = len(words)
        if not n:
            return None
        h = np.fromiter(map(xxhash.xxh3_64_intdigest, words), dtype=np.uint64, count=n)
        if n < self.shingle_size:  # a text shorter than a shingle is one shingle
            return np.array([(h * self._places[:n]).sum(dtype=np.uint64)], dtype=np.uint64)
        # uint64 arithmetic wraps: that is the mod 2**64.
        return np.correlate(h, self._places, "valid")

    def _minhash(self, hashes32: np.ndarray) -> np.ndarray:
        # Every permutation applied to every shingle in one matrix operation, the minimum
        # kept per permutation; uint32 arithmetic wraps: that is the mod 2**32.
        m = np.multiply.outer(hashes32, self._a)
        m += self._b
        return m.min(axis=0)

    def band_keys(self, values: np.ndarray) -> tuple[int, ...]:
        """One key per band of one text's ``num_perm`` values (:meth:`band_keys_many`)."""
        return tuple(self.band_keys_many(values[np.newaxis])[0].tolist())

    def many(self, texts: Sequence[list[bytes]]) -> tuple[np.ndarray, np.ndarray]:
        """A batch of texts (each as :func:`story_words` gives it) at once: each one's
        shingle count (0: no words) and MinHash values (a row of ``num_perm`` uint32; zeros
        for a text with no words), what :meth:`fingerprint` makes of each.

        The permutations are applied to the batch's shingles a chunk of whole texts at a
        time (about ``MANY_SHINGLES``), each text's minimum taken by one ``reduceat``: the
        fingerprint worker's answers for 512 bench stories cost 65.9 µs a text one by one,
        47.9 this way (timeit), most of the rest being the words.
        """
        n = len(texts)
        sizes = np.zeros(n, dtype=np.int64)
        values = np.zeros((n, self.num_perm), dtype=np.uint32)
        hashes = [self.shingle_hashes(words) for words in texts]
        have = [i for i, h in enumerate(hashes) if h is not None]
        if not have:
            return sizes, values
        for i in have:
            h = np.sort(hashes[i])
            sizes[i] = 1 + int(np.count_nonzero(h[1:] != h[:-1]))
        lengths = [len(hashes[i]) for i in have]
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        hashes32 = (np.concatenate([hashes[i] for i in have]) >> _S32).astype(np.uint32)
        mins = np.empty((self.num_perm, len(have)), dtype=np.uint32)
        first = 0
        while first < len(have):
            last, count = first, 0
            while last < len(have) and (not count or count + lengths[last] <= MANY_SHINGLES):
                count += lengths[last]
                last += 1
            at = starts[first]
            # Permutation by shingle (uint32 arithmetic wraps: the mod 2**32), minimum by
            # text along each row.
            m = np.multiply.outer(self._a, hashes32[at : at + count])
            m += self._b[:, None]
            mins[:, first:last] = np.minimum.reduceat(m, starts[first:last] - at, axis=1)
            first = last
        values[have] = mins.T
        return sizes, values

    def band_keys_many(self, values: np.ndarray) -> np.ndarray:
        """One key per band of each row of *values* (n x ``num_perm`` full 32-bit values):
        n x ``bands``, each the top 47 bits of sum(m_i * v_i) mod 2**64 over the band's
        values, with odd multipliers of its own."""
        # Multiply-shift (Dietzfelbinger et al.): universal without an offset; each band has
        # its own multipliers, so equal values in two bands are no match. uint32 times
        # uint64 is computed in uint64, and array arithmetic wraps (mod 2**64). 47 bits:
        # SQLite stores them in six bytes; two different bands share a key by accident
        # about once in 10**14 tries, so a million stories give no false candidate.
        rows = values.reshape(len(values), self.bands, self.rows)
        return (rows * self._multipliers).sum(axis=2, dtype=np.uint64) >> _KEY_SHIFT


#: Shingles whose permutations :meth:`Fingerprinter.many` holds at once (4 MiB of uint32
#: at 128 permutations), but for a text that has more.
MANY_SHINGLES = 8192


class FingerprinterV1(Fingerprinter):
    """Method 1: datasketch 2.0's ``affine32`` MinHash over SHA-1 of each shingle's text.

    What stores made before method 2 hold; a crawl on such a store fingerprints new stories
    this way so that they can be compared with the stored ones.
    """

    method = "1"
    scheme = "affine32"

    def _fingerprint(self, words: list[bytes]) -> Fingerprint | None:
        if not words:
            return None
        grams = _shingles(words, self.shingle_size)
        values = self.minhash(grams)
        low_bytes = (values & 0xFF).astype(np.uint8).tobytes()
        return Fingerprint(low_bytes, self.band_keys(values), len(grams))

    def minhash(self, grams: set[bytes]) -> np.ndarray:
        """The MinHash signature of a set of shingles: ``num_perm`` uint32 values.

        datasketch's ``affine32``: each shingle's hash (the first 4 bytes of its SHA-1,
        little-endian) is mixed by MurmurHash3's finaliser, then every permutation is
        applied to every shingle in one matrix operation and the minimum kept per
        permutation.
        """
        sha1 = hashlib.sha1
        hv = np.frombuffer(b"".join([sha1(g).digest()[:4] for g in grams]), dtype="<u4")
        hv = hv.astype(np.uint32)  # native order, writable
        hv ^= hv >> np.uint32(16)
        hv *= np.uint32(0x85EBCA6B)
        hv ^= hv >> np.uint32(13)
        hv *= np.uint32(0xC2B2AE35)
        hv ^= hv >> np.uint32(16)
        return self._minhash(hv)

    def many(self, texts: Sequence[list[bytes]]) -> tuple[np.ndarray, np.ndarray]:
        """As method 2's, one text at a time (a store of method 1 is read, not grown)."""
        sizes = np.zeros(len(texts), dtype=np.int64)
        values = np.zeros((len(texts), self.num_perm), dtype=np.uint32)
        for i, words in enumerate(texts):
            if words:
                grams = _shingles(words, self.shingle_size)
                values[i] = self.minhash(grams)
                sizes[i] = len(grams)
        return sizes, values

    def band_keys_many(self, values: np.ndarray) -> np.ndarray:
        """One key per band of each row of *values*, with an offset per band."""
        rows = values.astype(np.uint64).reshape(len(values), self.bands, self.rows)
        mixed = (rows * self._multipliers).sum(axis=2, dtype=np.uint64) + self._offsets
        return mixed >> _KEY_SHIFT


#: The methods this version can make, newest first.
METHODS: tuple[type[Fingerprinter], ...] = (Fingerprinter, FingerprinterV1)


def fingerprinter_for(recorded: str, wanted: Fingerprinter) -> Fingerprinter | None:
    """A fingerprinter with *wanted*'s settings whose ``params`` are *recorded* (what a store
    says its fingerprints were made with), if one of :data:`METHODS` is; else None."""
    for method in METHODS:
        fp = method(
            num_perm=wanted.num_perm,
            bands=wanted.bands,
            shingle_size=wanted.shingle_size,
            seed=wanted.seed,
        )
        if fp.params == recorded:
            return fp
    return None


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that two stories of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - similarity**rows) ** bands
