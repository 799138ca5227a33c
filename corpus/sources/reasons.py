"""The vocabulary of reject and skip reasons readers use. Tests, the sample generator's ground truth and
the report all refer to these names, so a new reason is added here first.

Rejects are damaged input (kept with location and a snippet); skips are well-formed records that are not
documents by design.
"""

# --- rejects: damaged input ---
INVALID_JSON = "invalid_json"  # a JSON line that does not parse, or is not an object
TRUNCATED_JSON = "truncated_json"  # the last line of a file is cut mid-object (no newline, does not parse)
MISSING_TEXT = "missing_text"  # a JSON object without a string text/body field
MISSING_ID = "missing_id"  # a Reddit comment/submission without the id / link_id that places it in a thread
INVALID_UTF8 = "invalid_utf8"  # bytes that do not decode as UTF-8
TRUNCATED_STREAM = "truncated_stream"  # compressed stream ends early or is corrupt; reading stops there
WARC_BAD_RECORD = "warc_bad_record"  # a WARC record whose own headers cannot be parsed
WARC_BAD_HTTP = "warc_bad_http"  # a response record whose HTTP status line/headers cannot be parsed

# --- skips: not a document by design ---
EMPTY_DOCUMENT = "empty_document"  # no text left (empty file, empty "text" field, whitespace only)
WARC_NOT_RESPONSE = "warc_{type}"  # request, metadata, revisit, warcinfo, resource, ...: e.g. "warc_request"
HTTP_NOT_200 = "http_not_200"  # a response with another status code
NOT_HTML = "not_html"  # a 200 response whose content type is not HTML
EMPTY_EXTRACTION = "empty_extraction"  # the HTML extractor found no main text
NOT_ENGLISH_HTML = (
    "not_english_html"  # certainly not English, not extracted (corpus/sources/html_language.py)
)
PILE_SUBSET_EXCLUDED = "pile_subset_excluded"  # a Pile subset OPT did not use
REDDIT_OFF_CHAIN = "reddit_off_chain"  # comments not on the kept longest chain of their thread
REDDIT_EMPTY_THREAD = "reddit_empty_thread"  # every comment on the chain is deleted/removed/bot
REDDIT_NO_COMMENTS = "reddit_no_comments"  # a submission whose thread has no comments in the input
REDDIT_PARENT_CYCLE = "reddit_parent_cycle"  # comments whose parents loop (damaged input), and their replies

# --- filter stage drops: documents removed on purpose (corpus/filters, OUT/dropped) ---
TOO_SHORT = "too_short"  # fewer words than filter.min_words
MOSTLY_SYMBOLS = "mostly_symbols"  # non-letter share of visible characters above filter.max_symbol_ratio
REPEATED_LINES = "repeated_lines"  # repeated-line share above filter.max_repeated_line_fraction
NOT_ENGLISH = "not_english"  # English share of the text below filter.min_english_share


def warc_type_reason(warc_type: str) -> str:
    return WARC_NOT_RESPONSE.format(type=warc_type.lower().replace("-", "_") or "unknown")
