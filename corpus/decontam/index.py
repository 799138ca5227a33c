"""The n-gram index of all evaluation sets: sorted 64-bit hashes behind a blocked Bloom filter, with the
words themselves kept for an exact re-check.

What it holds, per unique n-gram (``n`` words, any set):

- ``keys``: the sorted ``ngram_hash`` values (uint64), and for each a CSR list of the global ids of the
  items that contain it (``postings``; an item id is its set's offset plus its number in the set);
- ``reps``: where one occurrence starts in ``blob``, the normalised words of every item (each word followed
  by one space), so a document window whose hash matches is compared word for word before it counts;
- a blocked Bloom filter over ``keys`` (two bits in one 64-bit word per key): a document window costs one
  load from a ~4-8 bytes-per-n-gram table, and only the ~0.5 % of windows that pass (plus the true hits)
  pay for a binary search in ``keys``.

Items with fewer than ``n`` words are whole n-grams of their own length. They are found without a lookup
per length: the index keys them by the hash of their first ``short_len`` words (the shortest such item's
length), a document window of ``short_len`` words is looked up once, and each candidate's full-length hash is
then compared (``PrefixHashes`` gives any window's hash in two operations), then its words.

Memory, per million distinct n-grams: keys 8 MB, Bloom filter 4-8 MB (rounded up to a power of two),
postings 8 MB (offsets and item ids, 4 bytes each), reps 4 MB, and the blob with its word offsets about
11 MB per million words of evaluation text (~ one word per n-gram): ~37 MB in all, built in chunks of
``BUILD_CHUNK_BYTES`` of item text (offsets are int32 while they fit, int64 beyond 2**31). The eight real
sets of tests/decontam (25,165 items, 1.9 M distinct n-grams at n = 13) take ``nbytes`` = 68 MB (36 bytes per n-gram).

Why the exact re-check: at corpus scale a 64-bit hash is not enough. 10**12 document windows against
10**7 evaluation n-grams expect 10**19 / 2**64 ~ 0.5 accidental collisions, each of which would drop an
innocent document. A collision *inside* the index (two different evaluation n-grams with one hash, odds
~10**-7 for these sets) would make the re-check reject true matches, so building fails loudly instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.decontam.evalsets import EvalSet
from corpus.decontam.normalize import RULE_VERSION, PrefixHashes, Words, equal_words

BUILD_CHUNK_BYTES = 4 << 20  # item text normalised and hashed per numpy pass while building
BLOOM_BITS_PER_KEY = 32  # before rounding the table up to a power of two: false-positive rate ~0.5 %
_BLOOM_BLOCK = 1 << 16  # windows per Bloom probe pass (keeps the temporaries in cache)
SMALL_TABLE_KEYS = 1 << 16  # up to this many keys, a ByteMap (<= 4 MB) filters instead of a Bloom filter
_U = np.uint64
_BLOB_PAD = b" " * 8  # after the last word: ``equal_words`` loads 8 bytes at a time


class IndexCollisionError(ValueError):
    """Two different evaluation n-grams share a 64-bit hash (the re-check could not tell them apart)."""


class BlockedBloom:
    """A Bloom filter with both bits of a key in one 64-bit word: one memory load per lookup.

    The word is chosen by the key's top bits, the two bits by its low 12 bits through a 4,096-entry table
    of masks (keys are n-gram hashes, uniform in all 64 bits, so the two are independent). Two bits in a
    table lookup beat three computed ones: at 32 bits per key the false-positive rate is ~0.5 % against
    ~0.15 %, but a probe costs ~8 ns against ~12 ns, and a false positive only costs a binary search.

    >>> keys = np.array([3, 1 << 63, 12345678901234567], dtype=np.uint64)
    >>> bool(BlockedBloom(keys).may_contain(keys).all())
    True
    """

    def __init__(self, keys: np.ndarray, bits_per_key: int = BLOOM_BITS_PER_KEY):
        if bits_per_key < 8:
            raise ValueError(f"bits_per_key must be at least 8, not {bits_per_key}")
        words = max(64, len(keys) * bits_per_key // 64)
        self.log_words = int(np.ceil(np.log2(words)))
        self.words = np.zeros(1 << self.log_words, dtype=np.uint64)
        if len(keys):
            np.bitwise_or.at(self.words, self._word_of(keys), _MASKS[_mask_of(keys)])

    def _word_of(self, h: np.ndarray) -> np.ndarray:
        return (h >> _U(64 - self.log_words)).astype(np.intp)

    def may_contain(self, h: np.ndarray) -> np.ndarray:
        """A bool per hash: False means certainly absent."""
        out = np.empty(len(h), dtype=bool)
        for start in range(0, len(h), _BLOOM_BLOCK):
            part = h[start : start + _BLOOM_BLOCK]
            mask = _MASKS[_mask_of(part)]
            out[start : start + len(part)] = (self.words[self._word_of(part)] & mask) == mask
        return out

    @property
    def nbytes(self) -> int:
        return self.words.nbytes


class ByteMap:
    """A filter for a few keys: one byte per slot of a table 64 times (rounded up to a power of two) the
    number of keys, so a lookup is a shift and one load (false-positive rate <= 1/64).

    >>> keys = np.array([3, 1 << 63], dtype=np.uint64)
    >>> ByteMap(keys).may_contain(keys).tolist()
    [True, True]
    """

    def __init__(self, keys: np.ndarray):
        self.log_slots = max(10, int(np.ceil(np.log2(max(1, len(keys)) * 64))))
        self.slots = np.zeros(1 << self.log_slots, dtype=bool)
        self.slots[(keys >> _U(64 - self.log_slots)).astype(np.intp)] = True

    def may_contain(self, h: np.ndarray) -> np.ndarray:
        return self.slots[(h >> _U(64 - self.log_slots)).astype(np.intp)]

    @property
    def nbytes(self) -> int:
        return self.slots.nbytes


def _mask_of(h: np.ndarray) -> np.ndarray:
    return (h & _U(0xFFF)).astype(np.intp)


_MASKS = (np.uint64(1) << (np.arange(4096, dtype=np.uint64) & _U(63))) | (
    np.uint64(1) << ((np.arange(4096, dtype=np.uint64) >> _U(6)) & _U(63))
)  # the two bits of each value of a key's low 12 bits


class HashTable:
    """Sorted unique uint64 keys behind a filter (``BlockedBloom``, or ``ByteMap`` for a few keys): ``find``
    maps a batch of hashes to key numbers.

    >>> t = HashTable(np.array([7, 5, 7], dtype=np.uint64))
    >>> t.keys.tolist(), [x.tolist() for x in t.find(np.array([1, 7, 5], dtype=np.uint64))]
    ([5, 7], [[1, 2], [1, 0]])
    """

    def __init__(self, hashes: np.ndarray, bits_per_key: int = BLOOM_BITS_PER_KEY, unique: bool = False):
        if not unique:  # (np.unique hashes its input: a sort is 5x faster on uint64)
            hashes = np.sort(hashes)
            hashes = hashes[np.r_[True, hashes[1:] != hashes[:-1]]] if len(hashes) else hashes
        self.keys = hashes
        # A few keys (the short items): a byte per slot, 64 slots per key, one load and no bit arithmetic.
        small = len(hashes) <= SMALL_TABLE_KEYS
        self.bloom = ByteMap(self.keys) if small else BlockedBloom(self.keys, bits_per_key)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in ``h`` whose hash is a key, the key numbers), positions ascending."""
        if len(self.keys) == 0 or len(h) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        maybe = np.flatnonzero(self.bloom.may_contain(h))
        wanted = h[maybe]
        if len(wanted) > 64:  # sorted needles let the binary searches share their path: 3-4x faster
            order = np.argsort(wanted)
            at = np.empty(len(wanted), dtype=np.int64)
            at[order] = np.searchsorted(self.keys, wanted[order])
        else:
            at = np.searchsorted(self.keys, wanted)
        at[at == len(self.keys)] = 0
        hit = self.keys[at] == wanted
        return maybe[hit], at[hit]

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.bloom.nbytes


@dataclass(frozen=True)
class SetInfo:
    """What the index knows about one evaluation set."""

    name: str
    sha256: str
    items: int  # items in the set
    first_item: int  # global id of its item 0
    ngrams: int  # n-gram windows of its items (repeats within an item counted once)
    short_items: int  # items with 1..n-1 words (each one whole n-gram)
    empty_items: int  # items without a single word (never matched)


class NgramIndex:
    """All evaluation n-grams; see the module docstring. Build with ``NgramIndex.build``; picklable (a
    Spark broadcast)."""

    def __init__(
        self,
        n: int,
        sets: tuple[SetInfo, ...],
        locations: tuple[tuple[int, ...], ...],
        blob: bytes,
        word_offsets: np.ndarray,
        item_words: np.ndarray,
        table: HashTable,
        posting_offsets: np.ndarray,
        postings: np.ndarray,
        reps: np.ndarray,
        short_len: int,
        short_table: HashTable,
        short_offsets: np.ndarray,
        short_items: np.ndarray,
        short_hashes: np.ndarray,
        short_lens: np.ndarray,
    ):
        self.n = n
        self.sets = sets
        self._lines = locations  # per set: 1-based line of each item in its file (for reports)
        self.blob = blob  # normalised words of all items, each followed by one space
        self.word_offsets = word_offsets  # [n_words + 1] int64 byte offset of each word in blob
        self.item_words = item_words  # [n_items + 1] int64 first word of each item
        self.table = table  # the n-gram keys
        self.posting_offsets = posting_offsets  # [n_keys + 1] int64
        self.postings = postings  # int32 global item ids, sorted within a key
        self.reps = reps  # [n_keys] int64 first word of one occurrence of each key
        self.short_len = short_len  # words looked up for short items (0: no short items)
        self.short_table = short_table  # keys: hash of a short item's first short_len words
        self.short_offsets = short_offsets  # [n_short_keys + 1] int64 into the short_* arrays below
        self.short_items = short_items  # int32 global item id of each short item
        self.short_hashes = short_hashes  # uint64 hash of each short item (all its words)
        self.short_lens = short_lens  # int64 its length in words
        self.item_set = np.repeat(
            np.arange(len(sets), dtype=np.int32), [s.items for s in sets]
        )  # [n_items] set number of each item

    # -----------------------------------------------------------------------------------------------------
    # Building
    # -----------------------------------------------------------------------------------------------------

    @classmethod
    def build(
        cls, evalsets: Sequence[EvalSet], n: int = 13, bloom_bits_per_key: int = BLOOM_BITS_PER_KEY
    ) -> NgramIndex:
        """The index of ``evalsets`` (names must be distinct) for word n-grams of ``n`` words."""
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        names = [s.name for s in evalsets]
        if len(set(names)) != len(names):
            raise ValueError(f"evaluation set names must be distinct: {names}")
        texts = [item for s in evalsets for item in s.items]
        parts = _Parts()
        first = 0
        for stop in _chunk_ends([sum(map(len, item)) + len(item) for item in texts], BUILD_CHUNK_BYTES):
            parts.add(Words.of(["\n".join(item) for item in texts[first:stop]]), first, n)
            first = stop
        blob, word_offsets, item_words = parts.blob()
        hashes, items, starts = (
            parts.cat("hashes", np.uint64),
            parts.cat("items", np.int32),
            parts.cat("starts", np.int64),
        )
        table, posting_offsets, postings, reps = _ngram_table(
            hashes, items, starts, n, blob, word_offsets, bloom_bits_per_key
        )

        short = parts.cat("short_items", np.int32)
        short_lens = parts.cat("short_lens", np.int64)
        short_len = int(short_lens.min()) if len(short) else 0
        prefixes = parts.cat_matrix(n)[:, short_len - 1] if len(short) else np.zeros(0, np.uint64)
        order = np.argsort(prefixes, kind="stable")
        short_table = HashTable(prefixes, bloom_bits_per_key)
        short_offsets = np.searchsorted(prefixes[order], short_table.keys, side="left")
        short_offsets = np.append(short_offsets, len(order)).astype(np.int64)

        per_set_ngrams = _per_set(postings, evalsets)
        sets, offset = [], 0
        short_by_item = np.zeros(len(texts), dtype=bool)
        short_by_item[short] = True
        words_per_item = np.diff(item_words)
        for s, ngrams in zip(evalsets, per_set_ngrams, strict=True):
            span = slice(offset, offset + len(s))
            sets.append(
                SetInfo(
                    s.name,
                    s.sha256,
                    len(s),
                    offset,
                    ngrams,
                    int(short_by_item[span].sum()),
                    int((words_per_item[span] == 0).sum()),
                )
            )
            offset += len(s)
        return cls(
            n,
            tuple(sets),
            tuple(s.lines for s in evalsets),
            blob,
            _compact(word_offsets),
            _compact(item_words),
            table,
            _compact(posting_offsets),
            postings,
            _compact(reps),
            short_len,
            short_table,
            _compact(short_offsets),
            short[order],
            parts.cat("short_hashes", np.uint64)[order],
            _compact(short_lens[order]),
        )

    # -----------------------------------------------------------------------------------------------------
    # Lookups
    # -----------------------------------------------------------------------------------------------------

    def same_words(
        self, words: Words, doc_first: np.ndarray, index_first: np.ndarray, count: int | np.ndarray
    ) -> np.ndarray:
        """For each window i: are ``words`` ``doc_first[i]:+count`` the index's words ``index_first[i]:+count``
        (global word numbers, as ``reps`` and ``item_words`` give them)? The exact re-check.

        ``doc_first`` ascending. A copied passage makes runs of windows one word apart with the same
        alignment to the index; each run's words are compared once, not ``count`` times.
        """
        count = np.broadcast_to(np.asarray(count, dtype=np.int64), np.shape(doc_first))
        if len(doc_first) == 0:
            return np.zeros(0, dtype=bool)
        shift = doc_first - index_first
        run_start = np.r_[
            True,
            (doc_first[1:] != doc_first[:-1] + 1) | (shift[1:] != shift[:-1]) | (count[1:] != count[:-1]),
        ]
        at = np.flatnonzero(run_start)
        windows = np.diff(np.append(at, len(doc_first)))
        run_words = windows + count[at] - 1
        a = ranges(doc_first[at], run_words)
        b = a - np.repeat(shift[at], run_words)
        b_start = self.word_offsets[b]
        same = equal_words(
            words.buf,
            words.starts[a],
            words.ends[a] - words.starts[a],
            self.blob,
            b_start,
            self.word_offsets[b + 1] - b_start - 1,
        )
        failed = np.zeros(len(same) + 1, dtype=np.int64)
        np.cumsum(~same, out=failed[1:])
        first_pair = np.repeat(np.cumsum(run_words) - run_words - at, windows) + np.arange(len(doc_first))
        return failed[first_pair + count] == failed[first_pair]

    def items_of(self, key: int) -> np.ndarray:
        """Global ids of the items containing n-gram key number ``key``."""
        return self.postings[self.posting_offsets[key] : self.posting_offsets[key + 1]]

    def ngram_bytes(self, key: int) -> bytes:
        """The words of n-gram key number ``key``, each followed by one space."""
        first = int(self.reps[key])
        return self.blob[self.word_offsets[first] : self.word_offsets[first + self.n]]

    def item_bytes(self, item: int) -> bytes:
        """All words of item ``item`` (a global id), each followed by one space."""
        return self.blob[
            self.word_offsets[self.item_words[item]] : self.word_offsets[self.item_words[item + 1]]
        ]

    def item_name(self, item: int) -> tuple[str, int]:
        """(set name, item number in its set) of a global item id."""
        info = self.sets[int(self.item_set[item])]
        return info.name, int(item) - info.first_item

    def item_location(self, item: int) -> str:
        """``set:line N`` of a global item id: where a report reader finds it."""
        s = int(self.item_set[item])
        return f"{self.sets[s].name}:line {self._lines[s][int(item) - self.sets[s].first_item]}"

    @property
    def n_items(self) -> int:
        return len(self.item_set)

    @property
    def fingerprint(self) -> str:
        """Changes when n, the rule or any set's file changes (for the stage's success marker)."""
        parts = [RULE_VERSION, str(self.n)] + [f"{s.name}={s.sha256}" for s in self.sets]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    @property
    def nbytes(self) -> int:
        arrays = (
            self.word_offsets,
            self.item_words,
            self.posting_offsets,
            self.postings,
            self.reps,
            self.short_offsets,
            self.short_items,
            self.short_hashes,
            self.short_lens,
            self.item_set,
        )
        return len(self.blob) + sum(a.nbytes for a in arrays) + self.table.nbytes + self.short_table.nbytes

    def summary(self) -> dict:
        """Per set: items, n-grams, short and empty items; and the index's size (for stats.json)."""
        return {
            "n": self.n,
            "rule": RULE_VERSION,
            "fingerprint": self.fingerprint,
            "unique_ngrams": len(self.table),
            "short_len": self.short_len,
            "bytes": self.nbytes,
            "sets": {
                s.name: {
                    "sha256": s.sha256,
                    "items": s.items,
                    "ngrams": s.ngrams,
                    "short_items": s.short_items,
                    "empty_items": s.empty_items,
                }
                for s in self.sets
            },
        }


# ---------------------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------------------


def _compact(a: np.ndarray) -> np.ndarray:
    """int32 when every value fits (offsets and word numbers of any realistic suite), else int64."""
    return a.astype(np.int32) if len(a) == 0 or int(a.max()) < 2**31 else a.astype(np.int64)


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ranges [starts[i], starts[i] + counts[i]).

    >>> ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    firsts = np.cumsum(counts) - counts
    return np.repeat(starts - firsts, counts) + np.arange(total)


def _chunk_ends(sizes: Sequence[int], chunk: int) -> list[int]:
    """Ends of consecutive runs of ``sizes`` adding up to about ``chunk`` each (at least one element)."""
    ends, total = [], 0
    for i, size in enumerate(sizes):
        total += size
        if total >= chunk:
            ends.append(i + 1)
            total = 0
    if not ends or ends[-1] != len(sizes):
        ends.append(len(sizes))
    return ends


class _Parts:
    """What each build chunk contributes: word bytes, n-gram occurrences, short items."""

    def __init__(self):
        self.lists: dict[str, list[np.ndarray]] = {}
        self.blobs: list[bytes] = []
        self.word_sizes: list[np.ndarray] = []
        self.item_counts: list[np.ndarray] = []
        self.words = 0  # words so far (global word index of the next chunk's first word)

    def put(self, name: str, value: np.ndarray) -> None:
        self.lists.setdefault(name, []).append(value)

    def cat(self, name: str, dtype) -> np.ndarray:
        values = self.lists.get(name, [])
        return np.concatenate(values).astype(dtype, copy=False) if values else np.zeros(0, dtype=dtype)

    def cat_matrix(self, n: int) -> np.ndarray:
        values = self.lists.get("short_prefixes", [])
        return np.concatenate(values) if values else np.zeros((0, max(1, n - 1)), dtype=np.uint64)

    def add(self, words: Words, first_item: int, n: int) -> None:
        a = np.frombuffer(words.buf, dtype=np.uint8)
        sizes = words.ends - words.starts + 1  # the word and the space after it
        firsts = np.cumsum(sizes) - sizes
        gather = np.repeat(words.starts - firsts, sizes) + np.arange(int(sizes.sum()))
        self.blobs.append(a[gather].tobytes())
        self.word_sizes.append(sizes)
        counts = np.diff(words.offsets)
        self.item_counts.append(counts)

        item_ids = np.repeat(np.arange(first_item, first_item + len(counts), dtype=np.int32), counts)
        ends = np.repeat(words.offsets[1:], counts)  # end (word index) of each word's item
        prefix = PrefixHashes(words.hashes)
        windows = prefix.all_windows(n)
        starts = np.flatnonzero(np.arange(len(windows)) + n <= ends[: len(windows)])
        self.put("hashes", windows[starts])
        self.put("items", item_ids[starts])
        self.put("starts", starts + self.words)

        short = np.flatnonzero((counts > 0) & (counts < n))
        if len(short):
            first_word = words.offsets[short]
            lens = counts[short]
            self.put("short_items", short + first_item)
            self.put("short_lens", lens)
            self.put("short_hashes", prefix.windows(first_word, lens))
            # the hash of every prefix length, so the lookup length can be chosen once all are known
            matrix = np.zeros((len(short), max(1, n - 1)), dtype=np.uint64)
            for k in range(1, n):
                matrix[:, k - 1] = prefix.windows(first_word, np.minimum(k, lens))
            self.put("short_prefixes", matrix)
        self.words += len(words)

    def blob(self) -> tuple[bytes, np.ndarray, np.ndarray]:
        sizes = np.concatenate(self.word_sizes) if self.word_sizes else np.zeros(0, np.int64)
        word_offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=word_offsets[1:])
        counts = np.concatenate(self.item_counts) if self.item_counts else np.zeros(0, np.int64)
        item_words = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=item_words[1:])
        return b"".join(self.blobs) + _BLOB_PAD, word_offsets, item_words


def _ngram_table(hashes, items, starts, n, blob, word_offsets, bloom_bits_per_key):
    """Unique keys, CSR postings of the distinct items of each key, and one occurrence (first word) per key.

    Occurrences arrive ordered by (item, start), so a stable sort by hash orders them by (hash, item, start).
    """
    order = np.argsort(hashes, kind="stable")
    h, it, st = hashes[order], items[order], starts[order]
    if len(h) == 0:
        return (
            HashTable(h, bloom_bits_per_key),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.int64),
        )
    new_key = np.r_[True, h[1:] != h[:-1]]
    new_posting = new_key | np.r_[True, it[1:] != it[:-1]]
    key_at = np.flatnonzero(new_key)
    reps = st[key_at].astype(np.int64)
    _check_no_collision(h, st, reps[np.cumsum(new_key) - 1], n, blob, word_offsets)
    posting_rank = np.cumsum(new_posting) - 1
    posting_offsets = np.append(posting_rank[key_at], posting_rank[-1] + 1).astype(np.int64)
    table = HashTable(h[key_at], bloom_bits_per_key, unique=True)
    return table, posting_offsets, it[new_posting].astype(np.int32), reps


def _check_no_collision(hashes, starts, rep_of, n, blob, word_offsets) -> None:
    """Every occurrence of a key has the same words as the key's representative ``rep_of`` (compared byte
    for byte; only occurrences that are not the representative, such as a persona repeated across
    dialogues or a context shared by two HellaSwag items)."""
    repeated = np.flatnonzero(starts != rep_of)
    a, b = starts[repeated], rep_of[repeated]
    a_from, b_from = word_offsets[a], word_offsets[b]
    size = word_offsets[a + n] - a_from
    bad = repeated[size != word_offsets[b + n] - b_from]
    if not bad.size:
        view = memoryview(blob)
        for i, x, y, k in zip(
            repeated.tolist(), a_from.tolist(), b_from.tolist(), size.tolist(), strict=True
        ):
            if view[x : x + k] != view[y : y + k]:
                bad = np.array([i])
                break
    if bad.size:
        first = int(bad[0])
        raise IndexCollisionError(
            f"two evaluation n-grams share the hash {int(hashes[first]):#018x}: "
            f"{_words(blob, word_offsets, int(starts[first]), n)!r} and "
            f"{_words(blob, word_offsets, int(rep_of[first]), n)!r}; "
            "the exact re-check cannot tell them apart (odds ~1e-7 for a few million n-grams)"
        )


def _words(blob: bytes, word_offsets: np.ndarray, first: int, n: int) -> str:
    return blob[word_offsets[first] : word_offsets[first + n]].decode("utf-8").strip()


def _per_set(postings: np.ndarray, evalsets) -> list[int]:
    """n-grams per set, an n-gram repeated within an item once: the (key, item) pairs of the set's items."""
    set_of_item = np.repeat(np.arange(len(evalsets)), [len(s) for s in evalsets])
    return np.bincount(set_of_item[postings], minlength=len(evalsets)).tolist()
