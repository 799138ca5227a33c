"""The decontamination word rule, its 64-bit n-gram hashes, and the way back to characters of the original text.

The rule (lm-evaluation-harness's ``Janitor`` and GPT-3's overlap check, made Unicode-aware):

- the text is lowercased (``str.lower``);
- whitespace (``str.isspace``: ASCII and Unicode spaces, line and paragraph separators) splits words;
- every other character that is not a letter, a mark or a number (Unicode categories L*, M*, N*) is
  *deleted*, so ``don't`` is ``dont`` and ``well-known`` is ``wellknown``, while ``good , i`` is
  ``good i``; a word left empty (``--``, ``"``) disappears.

On ASCII this is exactly the Janitor's ``str.translate`` with ``string.punctuation`` deleted (its 32
characters are the ASCII P* and S* characters), plus the control characters. Deleting rather than turning
punctuation into spaces is the harness's choice and keeps contractions whole on both sides; its cost is that
``end.Next`` (no space) is one word. Unicode punctuation, symbols and format characters (em dash, ellipsis,
soft hyphen, zero-width space) are deleted as well, so typography added by a web page does not hide a copy.

Hashes (computed for whole batches in numpy; the plain-Python ``word_hash`` / ``ngram_hash`` are the
reference the tests hold them to):

    word_hash(w)   = fmix64(acc), acc over the UTF-8 bytes of w in 8-byte little-endian words u_0, u_1, ...
                     (the last one zero-padded): acc = u_0, then acc = fmix64(acc) ^ u_j
    ngram_hash(ws) = sum_j word_hash(ws[j]) * R**j   (mod 2**64)

Why not xxh64 per word, as ``corpus/dedup/shingling.py`` does: a document scan hashes over 10 M words per
second per core, and xxh64 needs a Python call per (distinct) word or a hash table lookup per word, each
costing more than the whole numpy path here (``bench/bench_decontam.py``). Words contain no zero bytes
(control characters are deleted), so the zero padding of the last 8-byte word also encodes the length, and
``word_hash`` is a bijection on words of up to 8 bytes. The polynomial n-gram hash makes every window of
every length one subtraction and one multiply away from a prefix sum (``PrefixHashes``), which is what lets
items shorter than n be matched as wholes without a pass per length. Equal n-grams always hash equal; a
64-bit collision can only make a candidate, which the index re-checks against the words themselves
(``equal_words``).

Back to characters: the scan works on lowercased UTF-8 without punctuation, whose offsets mean nothing in
the original. A word's span is its whitespace-delimited run in the original text, punctuation attached
included, which is what a cut removes and what a report highlights. ``word_spans`` is the plain rule
(each run normalised on its own), ``word_bounds`` the same spans as arrays for hit documents; the tests
check that both give exactly the words the batch path finds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

KEEP, SPACE, DELETE = 0, 1, 2  # what the rule does with a character

MASK64 = (1 << 64) - 1
R = 0x9E3779B97F4A7C15  # odd, so invertible modulo 2**64: a window is a prefix-sum difference times R**-i
R_INV = pow(R, -1, 1 << 64)

_U64 = np.uint64
_PAD = b" " * 16  # after the last word: 8-byte loads past a word's start stay inside the buffer
_WORD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [MASK64], dtype=np.uint64)

# ---------------------------------------------------------------------------------------------------------
# The character classes
# ---------------------------------------------------------------------------------------------------------


@functools.cache
def char_classes() -> np.ndarray:
    """KEEP / SPACE / DELETE for every code point (uint8, 0x110000 entries), built once per process.

    Planes 4-13 are unassigned and planes 15-16 private use, so only planes 0-3 and 14 are looked up.
    ``unicodedata`` is Python's own table, so a Python upgrade can move a rare character between classes;
    ``RULE_VERSION`` goes into the index fingerprint for that reason.
    """
    classes = np.full(0x110000, DELETE, dtype=np.uint8)
    for lo, hi in ((0, 0x40000), (0xE0000, 0xE1000)):
        chars = list(map(chr, range(lo, hi)))
        kinds = [unicodedata.category(c)[0] for c in chars]
        classes[lo:hi] = [
            SPACE if c.isspace() else KEEP if k in "LMN" else DELETE
            for c, k in zip(chars, kinds, strict=True)
        ]
    return classes


RULE_VERSION = f"lower-delete-LMN-split-space/unicode-{unicodedata.unidata_version}/words8-poly64"


def _ascii_tables() -> tuple[bytes, bytes, dict]:
    classes = [
        SPACE if chr(c).isspace() else KEEP if unicodedata.category(chr(c))[0] in "LMN" else DELETE
        for c in range(128)
    ]
    to_space = bytes(0x20 if c < 128 and classes[c] == SPACE else c for c in range(256))
    lower = bytes(c + 32 if 65 <= c <= 90 else c for c in to_space)
    delete = bytes(c for c in range(128) if classes[c] == DELETE)
    return to_space, lower, delete, {c: None for c in range(128) if classes[c] == DELETE}


# bytes.translate tables: ASCII whitespace -> b" " (and A-Z -> a-z), ASCII punctuation and controls deleted
_ASCII_TO_SPACE, _ASCII_LOWER_TO_SPACE, _ASCII_DELETE, _STR_DELETE = _ascii_tables()


# ---------------------------------------------------------------------------------------------------------
# The rule in plain Python (reference, items, and the way back to characters)
# ---------------------------------------------------------------------------------------------------------


def normalize_word(run: str) -> str:
    """One whitespace-free run of text under the rule (may be empty).

    >>> normalize_word("Don't"), normalize_word("«Ça»"), normalize_word("--")
    ('dont', 'ça', '')
    """
    low = run.lower()
    if low.isascii():
        return low.translate(_STR_DELETE)
    classes = char_classes()
    return "".join(ch for ch in low if classes[ord(ch)] == KEEP)


def words(text: str) -> list[str]:
    """The words of ``text`` under the rule.

    >>> words("Don't PANIC , 42\\u00a0km—fast!")
    ['dont', 'panic', '42', 'kmfast']
    """
    return [w for w in map(normalize_word, text.split()) if w]


def normalize(text: str) -> str:
    """The words of ``text`` joined by single spaces (what an n-gram is made of).

    >>> normalize("  The QUICK, brown fox... ")
    'the quick brown fox'
    """
    return " ".join(words(text))


_RUN = re.compile(r"\S+")  # \S in a str pattern is "not str.isspace", the same whitespace as str.split
_WHITESPACE = re.compile(r"\s")


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) for each word of ``text``: [start, end) is the word's whitespace-delimited run in
    ``text`` itself, punctuation attached included. Streams, so a long document costs no list.

    >>> list(word_spans('He said: "Yes -- no."'))
    [('he', 0, 2), ('said', 3, 8), ('yes', 9, 13), ('no', 17, 21)]
    """
    for m in _RUN.finditer(text):
        w = normalize_word(m.group())
        if w:
            yield w, m.start(), m.end()


def word_bounds(text: str, piece_chars: int = 1 << 22) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(starts, ends) of the character spans ``word_spans`` gives, as arrays, ``piece_chars`` of text at a
    time (pieces cut at whitespace, so no run is split). Vectorized over the text's code points: a run is a
    word when it holds a letter, mark or number, which lowercasing never changes (tests/decontam checks
    every code point).

    >>> [(s.tolist(), e.tolist()) for s, e in word_bounds('He said: "Yes -- no."')]
    [([0, 3, 9, 17], [2, 8, 13, 21])]
    """
    classes = char_classes()
    for offset, piece in text_pieces(text, piece_chars):
        if piece.isascii():
            kinds = classes[np.frombuffer(piece.encode("ascii"), dtype=np.uint8)]
        else:
            kinds = classes[np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype="<u4")]
        in_run = np.empty(len(kinds) + 2, dtype=bool)
        in_run[0] = in_run[-1] = False
        np.not_equal(kinds, SPACE, out=in_run[1:-1])
        edges = np.flatnonzero(in_run[1:] != in_run[:-1])
        starts, ends = edges[0::2], edges[1::2]
        if len(starts):
            is_word = np.add.reduceat((kinds == KEEP).view(np.uint8), starts) > 0
            yield starts[is_word] + offset, ends[is_word] + offset


def text_pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """(offset, piece): consecutive slices of about ``size`` characters, each cut just before a whitespace
    character, so no word is split (a text without whitespace after ``size`` is one piece).

    >>> list(text_pieces("ab cd ef", 2))
    [(0, 'ab'), (2, ' cd'), (5, ' ef')]
    """
    if size < 1:
        raise ValueError(f"piece size must be positive, not {size}")
    offset = 0
    while offset < len(text):
        cut = _WHITESPACE.search(text, offset + size) if offset + size < len(text) else None
        stop = cut.start() if cut else len(text)
        yield offset, text[offset:stop]
        offset = stop


def spans_of_words(
    text: str, first: Sequence[int], last: Sequence[int], piece_chars: int = 1 << 22
) -> list[tuple[int, int]]:
    """Character spans [start of word first[i], end of word last[i]) in ``text``, for word indices as the
    scan counts them (0 = the first word). Streams through the text, only as far as the last word asked
    for, keeping only the words asked for (a long document costs one piece of ``word_bounds`` at a time).

    >>> spans_of_words("a b, c d", [1], [2])
    [(2, 6)]
    """
    first = np.asarray(first, dtype=np.int64)
    last = np.asarray(last, dtype=np.int64)
    if np.any(last < first):
        raise ValueError("a span's last word comes before its first")
    if len(first) == 0:
        return []
    starts = np.full(len(first), -1, dtype=np.int64)
    ends = np.full(len(last), -1, dtype=np.int64)
    need, seen = int(last.max()) + 1, 0
    for s, e in word_bounds(text, piece_chars):
        here = (first >= seen) & (first < seen + len(s))
        starts[here] = s[first[here] - seen]
        here = (last >= seen) & (last < seen + len(e))
        ends[here] = e[last[here] - seen]
        seen += len(s)
        if seen >= need:
            break
    if seen < need:
        raise ValueError(f"the text has {seen} words, fewer than word {need - 1} needs")
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def spans_in_texts(texts: Sequence[str], firsts: Sequence, lasts: Sequence) -> list[list[tuple[int, int]]]:
    """``spans_of_words`` for many short texts at once: one vectorized pass over them joined by spaces.

    >>> spans_in_texts(["a b, c d", "x y"], [[1], [0]], [[2], [1]])
    [[(2, 6)], [(0, 3)]]
    """
    joined = " ".join(texts)
    text_starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1, out=text_starts[1:])
    bounds = list(word_bounds(joined, piece_chars=max(1, len(joined))))
    starts = np.concatenate([b[0] for b in bounds]) if bounds else np.zeros(0, np.int64)
    ends = np.concatenate([b[1] for b in bounds]) if bounds else np.zeros(0, np.int64)
    first_word = np.searchsorted(starts, text_starts)
    out = []
    for i, (first, last) in enumerate(zip(firsts, lasts, strict=True)):
        first = np.asarray(first, dtype=np.int64) + first_word[i]
        last = np.asarray(last, dtype=np.int64) + first_word[i]
        if len(last) and (np.any(last < first) or int(last.max()) >= first_word[i + 1]):
            raise ValueError(f"text {i}: a span asks for a word the text does not have")
        offset = int(text_starts[i])
        out.append(list(zip((starts[first] - offset).tolist(), (ends[last] - offset).tolist(), strict=True)))
    return out


def equal_words(buf_a: bytes, starts_a, lens_a, buf_b: bytes, starts_b, lens_b) -> np.ndarray:
    """For each pair i: is word ``buf_a[starts_a[i]:+lens_a[i]]`` equal to ``buf_b[starts_b[i]:+lens_b[i]]``?

    Compared in 8-byte loads (both buffers need 7 bytes after every word), so the exact re-check of
    matched windows costs a few numpy operations per word, not a Python comparison per window.
    """
    ok = lens_a == lens_b
    todo = np.flatnonzero(ok)
    if not len(todo):
        return ok
    loads_a = np.ndarray(shape=(len(buf_a) - 7,), dtype="<u8", buffer=buf_a, strides=(1,))
    loads_b = np.ndarray(shape=(len(buf_b) - 7,), dtype="<u8", buffer=buf_b, strides=(1,))
    k = 0
    while len(todo):
        left = lens_a[todo] - k
        mask = _WORD_MASKS[np.minimum(left, 8)]
        same = (loads_a[starts_a[todo] + k] & mask) == (loads_b[starts_b[todo] + k] & mask)
        ok[todo[~same]] = False
        todo = todo[same & (left > 8)]
        k += 8
    return ok


def word_hash(word: str | bytes) -> int:
    """The 64-bit hash of one normalised word (reference for the batch path).

    >>> word_hash("a") == word_hash(b"a") != word_hash("b")
    True
    """
    data = word.encode("utf-8") if isinstance(word, str) else word
    if not data:
        raise ValueError("a word is never empty")
    acc = int.from_bytes(data[:8], "little")
    for j in range(8, len(data), 8):
        acc = _fmix64_int(acc) ^ int.from_bytes(data[j : j + 8], "little")
    return _fmix64_int(acc)


def ngram_hash(ngram: Iterable[str | bytes]) -> int:
    """The 64-bit hash of a sequence of normalised words (reference for ``PrefixHashes.windows``)."""
    acc, power = 0, 1
    for w in ngram:
        acc = (acc + word_hash(w) * power) & MASK64
        power = (power * R) & MASK64
    return acc


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    return h ^ (h >> 33)


# ---------------------------------------------------------------------------------------------------------
# Batches in numpy
# ---------------------------------------------------------------------------------------------------------


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (a bijection), element-wise, into a new array."""
    h = h ^ (h >> _U64(33))
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    h ^= h >> _U64(33)
    return h


def prepare(text: str) -> bytes:
    """``text`` lowercased, as UTF-8, ASCII whitespace turned into spaces and ASCII punctuation deleted:
    C-speed string methods only. Non-ASCII characters are left for ``Words.from_prepared`` to classify.

    >>> prepare("It's\\tÉTÉ!")
    b'its \\xc3\\xa9t\\xc3\\xa9'
    """
    if text.isascii():  # one translate lowercases too (str.isascii is a flag check, not a scan)
        return text.encode("ascii").translate(_ASCII_LOWER_TO_SPACE, _ASCII_DELETE)
    return text.lower().encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE, _ASCII_DELETE)


@dataclass(frozen=True)
class Words:
    """The words of a batch of texts, found and hashed together.

    ``buf`` holds the prepared texts joined by spaces (plus padding); word j is
    ``buf[starts[j]:ends[j]]`` and is followed by at least one space. Text i owns words
    ``offsets[i]:offsets[i + 1]``.
    """

    buf: bytes
    starts: np.ndarray  # [n_words] int64 byte offset of each word in buf
    ends: np.ndarray  # [n_words] int64 (exclusive)
    hashes: np.ndarray  # [n_words] uint64 word_hash of each word
    offsets: np.ndarray  # [n_texts + 1] int64 first word of each text

    @classmethod
    def of(cls, texts: Sequence[str]) -> Words:
        """The words of ``texts``.

        >>> w = Words.of(["Hi, there!", "", "¡Olé!"])
        >>> [w.word(j) for j in range(len(w))], w.offsets.tolist()
        (['hi', 'there', 'olé'], [0, 2, 2, 3])
        """
        return cls.from_prepared([prepare(t) for t in texts])

    @classmethod
    def from_prepared(cls, parts: Sequence[bytes]) -> Words:
        """The words of texts already passed through ``prepare`` (or of normalised words joined by spaces,
        which ``prepare`` leaves as they are)."""
        buf = b" " + b" ".join(parts) + _PAD  # a leading space: word 0 starts at a space-to-word edge
        a = np.frombuffer(buf, dtype=np.uint8)
        sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        text_starts = np.empty(len(parts) + 1, dtype=np.int64)
        text_starts[0] = 1
        np.cumsum(sizes + 1, out=text_starts[1:])
        text_starts[1:] += 1
        non_ascii = [i for i, part in enumerate(parts) if not part.isascii()]
        if non_ascii:
            a, text_starts = _classify_non_ascii(a, text_starts, non_ascii, sizes)
            buf = a.tobytes()
        in_word = a != 0x20
        edges = np.flatnonzero(in_word[1:] != in_word[:-1])
        edges += 1
        starts, ends = edges[0::2], edges[1::2]
        offsets = np.searchsorted(starts, text_starts)
        return cls(buf, starts, ends, _hash_words(buf, starts, ends), offsets)

    def __len__(self) -> int:
        return len(self.starts)

    def word(self, j: int) -> str:
        return self.buf[self.starts[j] : self.ends[j]].decode("utf-8")

    def joined(self, first: int, stop: int) -> bytes:
        """Words ``first:stop`` as the index stores n-grams: each word followed by one space."""
        if stop <= first:
            return b""
        return b" ".join(self.buf[self.starts[first] : self.ends[stop - 1]].split()) + b" "


def _classify_non_ascii(
    a: np.ndarray, text_starts: np.ndarray, texts: list[int], text_sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the rule to the non-ASCII characters of a prepared buffer (in ``texts``, the only texts that
    have any): Unicode whitespace becomes spaces, characters outside L*/M*/N* go. Code points are decoded
    from UTF-8 in numpy, grouped by length."""
    high = np.concatenate(
        [
            np.flatnonzero(a[text_starts[i] : text_starts[i] + text_sizes[i]] >= 0x80) + text_starts[i]
            for i in texts
        ]
    )
    lead = high[(a[high] & 0xC0) != 0x80]
    b0 = a[lead].astype(np.uint32)
    cps = np.empty(len(lead), dtype=np.uint32)
    sizes = np.empty(len(lead), dtype=np.int64)
    c1 = (a[lead + 1] & 0x3F).astype(np.uint32)  # the padding keeps lead + 3 inside the buffer
    two = b0 < 0xE0
    cps[two] = ((b0[two] & 0x1F) << 6) | c1[two]
    sizes[two] = 2
    longer = np.flatnonzero(~two)
    if len(longer):
        lb = b0[longer]
        c2 = (a[lead[longer] + 2] & 0x3F).astype(np.uint32)
        three = lb < 0xF0
        cps[longer[three]] = ((lb[three] & 0x0F) << 12) | (c1[longer[three]] << 6) | c2[three]
        sizes[longer[three]] = 3
        four = longer[~three]
        c3 = (a[lead[four] + 3] & 0x3F).astype(np.uint32)
        cps[four] = ((lb[~three] & 0x07) << 18) | (c1[four] << 12) | (c2[~three] << 6) | c3
        sizes[four] = 4
    classes = char_classes()[cps]
    if not classes.any():
        return a, text_starts
    a = a.copy()
    space = np.flatnonzero(classes == SPACE)
    for k in range(4):  # every byte of a whitespace character becomes a space
        sel = space[sizes[space] > k]
        a[lead[sel] + k] = 0x20
    gone = np.flatnonzero(classes == DELETE)
    if len(gone):
        n_bytes = sizes[gone]
        first = np.repeat(lead[gone] - np.cumsum(n_bytes) + n_bytes, n_bytes)
        drop = first + np.arange(len(first))
        text_starts = text_starts - np.searchsorted(drop, text_starts)
        a = np.delete(a, drop)
    return a, text_starts


def _hash_words(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``word_hash`` of every word, from unaligned 8-byte loads at the word starts (a strided uint64 view
    of the buffer: one gather per 8 bytes of word, no per-word Python)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    lens = ends - starts
    loads = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    acc = loads[starts]
    acc &= _WORD_MASKS[np.minimum(lens, 8)]
    long = np.flatnonzero(lens > 8)
    j = 8
    while len(long):  # words of more than 8 bytes: few (~7 % of English words), fewer each round
        more = loads[starts[long] + j] & _WORD_MASKS[np.minimum(lens[long] - j, 8)]
        acc[long] = fmix64(acc[long]) ^ more
        j += 8
        long = long[lens[long] > j]
    return fmix64(acc)


class PrefixHashes:
    """Prefix sums of R-weighted word hashes: the hash of any window of any length in two numpy ops.

    ``P[i] = sum_{j < i} h[j] * R**j``, so ``ngram_hash(words[i:i + k]) = (P[i + k] - P[i]) * R**-i``.

    >>> h = Words.of(["a b c d"]).hashes
    >>> int(PrefixHashes(h).windows(np.array([1]), 2)[0]) == ngram_hash(["b", "c"])
    True
    """

    def __init__(self, hashes: np.ndarray):
        n = len(hashes)
        power, inverse = _powers(n)
        self.sums = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(hashes * power[:n], out=self.sums[1:])
        self.inverse = inverse[:n]

    def windows(self, first: np.ndarray, k: int | np.ndarray) -> np.ndarray:
        """Hashes of the windows ``[first[i], first[i] + k)`` (``k`` a number or one per window)."""
        out = self.sums[first + k] - self.sums[first]
        out *= self.inverse[first]
        return out

    def all_windows(self, k: int) -> np.ndarray:
        """Hashes of every window of ``k`` words, in order (``len - k + 1`` of them; none when fewer)."""
        count = len(self.inverse) - k + 1
        if count <= 0:
            return np.zeros(0, dtype=np.uint64)
        out = self.sums[k : k + count] - self.sums[:count]
        out *= self.inverse[:count]
        return out


_POWERS: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(R**j, R**-j) for j < n, mod 2**64; cached and grown by doubling."""
    have = len(_POWERS[0])
    if have < n:
        size = max(n, 2 * have, 1 << 16)
        for slot, base in ((0, R), (1, R_INV)):
            steps = np.full(size, base, dtype=np.uint64)
            steps[0] = 1
            _POWERS[slot] = np.cumprod(steps, dtype=np.uint64)  # wraps modulo 2**64
    return _POWERS[0], _POWERS[1]
