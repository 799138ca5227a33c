"""The synthetic sample corpus: all five of OPT's sources in their native formats, with a ground truth.

``corpus sample --out DIR --seed N --size SIZE`` (``corpus.sample.generate``) writes it. The similarity
rule the ground truth is measured with lives here too: ``word_shingles`` and ``jaccard``.
"""

from corpus.sample.shingles import jaccard, text_jaccard, word_shingles

__all__ = ["jaccard", "text_jaccard", "word_shingles"]
