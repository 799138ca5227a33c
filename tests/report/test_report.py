"""The statistics report: merged numbers, end-to-end accounting, terminal text, stats.json and report.html.

Everything runs on tests/fixtures/report (the stats of a real tiny build, see its README), copied to a
temporary OUT so the report can be written next to it. No Spark and no browser are needed.
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from corpus import cli
from corpus.accounting import AccountingError
from corpus.config import recipe_from_dict
from corpus.report.html import bar_chart, render_html
from corpus.report.numbers import INCOMPLETE, MISMATCH, OK, build_report, check_report, reason_matrix
from corpus.report.text import render_text
from corpus.report.write import main
from corpus.runtime.runner import run_stage

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report"
RECIPE = recipe_from_dict({"name": "sample", "sources": {"pile": {"paths": ["unused"]}}})


@pytest.fixture
def out(tmp_path) -> Path:
    target = tmp_path / "OUT"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def run_report(out: Path) -> dict:
    """The report stage as the build runs it (no Spark): report files, accounting check, then marker."""
    return run_stage(None, RECIPE, str(out), "report")


def _edit(out: Path, stage: str, change) -> None:
    path = out / "stats" / f"{stage}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


# ---------------------------------------------------------------------------------------------------------
# Merged numbers and accounting
# ---------------------------------------------------------------------------------------------------------


def test_merged_numbers_and_accounting_of_a_real_build(out):
    report = build_report(out)
    assert list(report["sources"]) == ["bookcorpus", "ccnews", "ccstories", "pile", "reddit"]
    assert report["stages_found"] == ["ingest", "filter", "dedup", "shards"]
    assert report["accounting_status"] == OK
    check_report(report)  # balanced: no AccountingError
    reddit = report["sources"]["reddit"]["accounting"]
    # 187 comment records became 43 thread documents: 144 records merged
    assert reddit["terms"] == {
        "rejects": 2,
        "skips": 243,
        "merged": 144,
        "filtered": 18,
        "exact_dups": 1,
        "near_dups": 0,
        "tokenized": 24,
    }
    assert reddit["records_read"] == reddit["sum"] == 432
    assert all(c["ok"] for c in reddit["checks"]) and len(reddit["checks"]) == 9
    assert report["sources"]["pile"]["funnel"] == [
        ["read (records)", 107],
        ["ingested", 75],
        ["after filter", 67],
        ["after exact dedup", 61],
        ["kept", 59],
        ["tokenized", 59],
    ]
    t = report["totals"]
    assert (t["records_read"], t["rejects"], t["skips"], t["ingested"], t["filtered"]) == (
        851,
        13,
        392,
        302,
        75,
    )
    assert (t["dedup_in"], t["dedup_exact_dups"], t["dedup_near_dups"], t["dedup_kept"]) == (227, 11, 3, 213)
    assert (t["tokenized"], t["tokens_in_shards"], t["tail_tokens"]) == (213, 255232, 8654)
    d = report["dedup"]
    assert (d["candidate_pairs"], d["verified_pairs"], d["rejected_pairs"], d["clusters"]) == (12, 3, 9, 13)
    assert d["documents_in_clusters"] == 12 * 2 + 1 * 3
    assert report["stage_seconds"] == {
        "ingest": 192.74,
        "filter": 25.24,
        "dedup": 75.32,
        "tokenize": 1.14,
        "shards": 6.49,
    }


def test_reason_matrix_pivots_every_reject_skip_and_drop(out):
    sources, rows = reason_matrix(build_report(out))
    assert sources == list(build_report(out)["sources"])
    by_reason = {(r[0], r[1], r[2]): dict(zip([*sources, "total"], r[3:], strict=True)) for r in rows}
    assert by_reason[("ingest", "skip", "pile_subset_excluded")] == {
        "bookcorpus": 0,
        "ccnews": 0,
        "ccstories": 0,
        "pile": 26,
        "reddit": 0,
        "total": 26,
    }
    assert by_reason[("filter", "dropped", "not_english")]["total"] == 72
    assert [r[:2] for r in rows][:6] == [["ingest", "reject"]] * 6  # rejects first, then skips, then drops
    assert sum(r[-1] for r in rows if r[1] == "reject") == 13
    assert sum(r[-1] for r in rows if r[1] == "skip") == 392
    assert sum(r[-1] for r in rows if r[1] == "dropped") == 75


def test_a_lost_document_between_dedup_and_shards_is_a_mismatch(out):
    # dedup says it kept 58 pile documents, the shards tokenized 59: the identity still adds up (its terms
    # come from dedup's duplicates and the shards' count) but two hand-off checks name the gap.
    _edit(out, "dedup", lambda d: d["sources"]["pile"]["kept"].update(docs=58))
    report = build_report(out)
    pile = report["sources"]["pile"]["accounting"]
    assert pile["status"] == MISMATCH and report["accounting_status"] == MISMATCH
    assert [c["check"] for c in pile["checks"] if not c["ok"]] == [
        "dedup: in = exact + near + kept (documents)",
        "dedup -> shards: documents",
    ]
    assert report["sources"]["reddit"]["accounting"]["status"] == OK


def test_an_invented_token_document_breaks_the_identity_and_fails_the_stage(out):
    _edit(out, "shards", lambda d: d["sources"]["ccnews"].update(docs=22))
    with pytest.raises(AccountingError, match=r"ccnews: records read 158 = .* tokenized 22 -> MISMATCH"):
        check_report(build_report(out))
    with pytest.raises(AccountingError, match=r"ccnews: records read 158 = .* tokenized 22 -> MISMATCH"):
        run_report(out)
    assert not (out / "_stages" / "report.json").exists()  # a failed check leaves no marker
    # the files are written before the stage fails, so the mismatch can be read
    stats = json.loads((out / "report" / "stats.json").read_text())
    failed = [c for c in stats["sources"]["ccnews"]["accounting"]["checks"] if not c["ok"]]
    assert [(c["left"], c["right"]) for c in failed] == [(21, 22), (158, 159)]
    assert (out / "report" / "report.html").exists()
    assert main([str(out), "--no-html"]) == 1


def test_without_shard_stats_tokens_come_from_the_manifest_and_accounting_is_incomplete(out, capsys):
    (out / "stats" / "shards.json").unlink()
    manifest = {
        "seq_len": 256,
        "splits": {
            "train": {"rows": 5, "docs": 80, "source_tokens": {"pile": 1000, "reddit": 280}},
            "valid": {"rows": 1, "docs": 1, "source_tokens": {"pile": 256}},
            "valid/pile": {"rows": 1, "docs": 1, "source_tokens": {"pile": 256}},
        },
    }
    (out / "shards").mkdir()
    (out / "shards" / "manifest.json").write_text(json.dumps(manifest))
    report = build_report(out)
    assert report["shards_from_manifest"] is True
    assert report["sources"]["pile"]["numbers"]["tokens_in_shards"] == 1256
    assert report["sources"]["reddit"]["numbers"]["tokens_in_shards"] == 280
    pile = report["sources"]["pile"]["accounting"]
    assert (pile["status"], pile["missing"], pile["sum"]) == (INCOMPLETE, ["tokenized"], None)
    assert report["accounting_status"] == INCOMPLETE
    assert main([str(out), "--no-html"]) == 0  # a partial build is reported, not failed
    text = capsys.readouterr().out
    assert (
        "pile: records read 107 = rejects 5 + skips 27 + merged 0 + filtered 8 + exact dups 6 + near dups 2 + "
        "tokenized ? -> incomplete (missing: tokenized)" in text
    )


def test_partial_builds_and_empty_folders(out, tmp_path, capsys):
    for stage in ("filter", "dedup", "shards"):
        (out / "stats" / f"{stage}.json").unlink()
    report = build_report(out)
    assert report["dedup"] is None and report["stages_found"] == ["ingest"]
    text = render_text(report)
    assert "dedup: no OUT/stats/dedup.json" in text
    assert "missing: filter, dedup, shards" in text
    render_html(report)  # renders without the dedup sections
    assert main([str(tmp_path / "nothing")]) == 2
    assert "no stage statistics" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------
# Terminal text
# ---------------------------------------------------------------------------------------------------------


def test_text_report_prints_the_fixture_numbers(out):
    text = render_text(build_report(out), top=2)
    lines = text.splitlines()
    expected_lines = [
        "total          69           851       13    392          446        302        75           227",
        "ingest skip: pile_subset_excluded           0       0          0    26       0     26",
        "pile         67           6          2    59   88.1%  0.356     0.017    0.015    0.324",
        "total       227          11          3   213   93.8%  0.990     0.032    0.022    0.936",
        "reddit                       24            11,591                  316",
        "total                       213           255,232                8,654",
        "reddit: records read 432 = rejects 2 + skips 243 + merged 144 + filtered 18 + exact dups 1 + near dups 0 "
        "+ tokenized 24 -> ok",
        "pile                       1       0          4     3       0      8",
        "candidate pairs 12; verified 3; rejected by verification 9 (75.0%); verify = exact; "
        "connected-component rounds 0",
        "  0.95-1.00 *          3  ###############",
        "  size      2        12  ##############################",
        "#1 size 3  keeper ccstories/stories-000.jsonl#37 (ccstories)  sources ccstories=1, pile=2  "
        "kinds exact=2, keeper=1",
    ]
    for line in expected_lines:
        assert line in lines, line
    assert (
        "band layout: 8 bands x 16 rows (128 of 128 permutations), 5-word shingles, threshold J = 0.95"
        in lines
    )
    assert any(line.startswith("recall at the threshold 0.9903 (required >= 0.99)") for line in lines)
    assert "end-to-end accounting (ok; merged" in text
    assert "#2 size 2" in text and "#3 size" not in text  # --top 2
    assert '    exact   "He had never seen such a distant hour.' in text


def test_cli_dispatches_report(out, capsys):
    assert cli.main(["report", str(out), "--no-html", "--top", "1"]) == 0
    printed = capsys.readouterr().out
    assert "#1 size 3" in printed and "#2 size" not in printed
    assert (out / "report" / "stats.json").exists()
    assert not (out / "report" / "report.html").exists()


# ---------------------------------------------------------------------------------------------------------
# stats.json and report.html
# ---------------------------------------------------------------------------------------------------------


def test_stats_json_carries_every_stage_number_unchanged(out):
    report = run_report(out)
    stats = json.loads((out / "report" / "stats.json").read_text())
    assert stats == json.loads(json.dumps(report))
    assert (out / "_stages" / "report.json").exists()
    assert not (out / "stats" / "report.json").exists()  # the report's stats are the report itself
    for stage in ("ingest", "filter", "dedup", "shards"):
        assert stats["stages"][stage] == json.loads((out / "stats" / f"{stage}.json").read_text())
    assert sorted(p.name for p in (out / "report").iterdir()) == ["report.html", "stats.json"]  # no .tmp left


class _Page(HTMLParser):
    """Collects what the HTML checks look at: tags, svg ids, rect titles, visible text, external refs."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.svg_ids: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self.paths: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.stack.append(tag)
        if tag == "svg":
            self.svg_ids.append(a.get("id"))
        if tag == "path":
            self.paths.append(a["d"])
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(a[key])

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def test_html_is_self_contained_with_the_charts_and_numbers(out):
    assert main([str(out)]) == 0
    page = _Page()
    page.feed((out / "report" / "report.html").read_text(encoding="utf-8"))
    page.close()
    assert page.svg_ids == ["funnel", "s-curve", "candidate-jaccard", "cluster-sizes"]
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert page.external == []  # nothing fetched: no src/href at all
    text, joined = page.text, " ".join(page.text)
    for cell in ("851", "255,232", "16,585", "0.324", "8,654"):  # table cells and cards, whole
        assert cell in text, cell
    assert "rejected by verification 9 (75.0%)" in joined
    assert "recall at J = 0.95: 0.9903 (required ≥ 0.99)" in joined
    # the S-curve is drawn from the 101 stored points
    assert len(page.paths) == 1 and page.paths[0].count("L") == 100
    # the candidate histogram draws all 20 bins; the rect titles carry the counts
    assert "0.95: 3" in text and "0.90: 6" in text and "0.00: 0" in text
    assert "pile after exact dedup: 61" in text  # funnel bar title
    assert "removed ↓ keeper →" in text
    # snippets on one line, marked as cut where dedup cut them
    assert any(
        t.startswith("He had never seen such a distant hour. Nobody in the market") and t.endswith(" ...")
        for t in text
    )


def test_bar_chart_scales():
    linear = bar_chart([("a", 0, "#000"), ("b", 5, "#000"), ("c", 10, "#000")], "x", "x", "y")
    heights = [float(h.split('"')[0]) for h in linear.split('height="')[2:]]
    assert heights[0] == 0.0 and heights[2] == pytest.approx(2 * heights[1])
    logged = bar_chart([("a", 1, "#000"), ("b", 999, "#000")], "x", "x", "y", log=True)
    h1, h999 = (float(h.split('"')[0]) for h in logged.split('height="')[2:])
    assert h999 / h1 == pytest.approx(3 / 0.30103, rel=5e-3)  # log10(1000) / log10(2), heights in 0.1 px
