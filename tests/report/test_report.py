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
from corpus.report.html import CSS, bar_chart, render_html
from corpus.report.numbers import INCOMPLETE, MISMATCH, OK, build_report, check_report, reason_matrix
from corpus.report.tables import stage_table
from corpus.report.text import render_text
from corpus.report.write import main
from corpus.runtime.runner import run_stage

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report"
DECONTAMINATE = FIXTURE / "with_decontaminate"  # laid over the base tree (see the fixture's README)
RECIPE = recipe_from_dict({"name": "sample", "sources": {"pile": {"paths": ["unused"]}}})
DECONTAMINATE_OFF = {"stage": "decontaminate", "recipe": "sample", "enabled": False}
IDENTITY = (
    "records read = rejects + skips + merged + filtered + exact_dups + near_dups + contaminated + tokenized"
)


@pytest.fixture
def out(tmp_path) -> Path:
    target = tmp_path / "OUT"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("README.md", DECONTAMINATE.name))
    return target


@pytest.fixture
def decontaminated(out) -> Path:
    """The base build with a decontaminate stage that cut 4 documents and dropped 2 (one of pile, one of
    reddit), and shards that tokenized the 211 documents it kept."""
    shutil.copytree(DECONTAMINATE, out, dirs_exist_ok=True)

    def drop_one(shards):
        for source in ("pile", "reddit"):
            shards["sources"][source]["docs"] -= 1
            shards["sources"][source]["docs_train"] -= 1

    _edit(out, "shards", drop_one)
    return out


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
        "contaminated": 0,  # no decontaminate stats (a build older than the stage): 0, not missing
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
        "contaminated 0 + tokenized ? -> incomplete (missing: tokenized)" in text
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
        "+ contaminated 0 + tokenized 24 -> ok",
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


# ---------------------------------------------------------------------------------------------------------
# The decontaminate stage: accounting, the contamination section, its end-of-stage table
# ---------------------------------------------------------------------------------------------------------


def test_accounting_counts_the_documents_decontamination_dropped(decontaminated):
    report = build_report(decontaminated)
    assert report["stages_found"] == ["ingest", "filter", "dedup", "decontaminate", "shards"]
    assert report["accounting_status"] == OK
    check_report(report)
    pile = report["sources"]["pile"]["accounting"]
    assert pile["terms"] == {
        "rejects": 5,
        "skips": 27,
        "merged": 0,
        "filtered": 8,
        "exact_dups": 6,
        "near_dups": 2,
        "contaminated": 1,  # the cut_too_short one; the two cut pile documents are still tokenized
        "tokenized": 58,
    }
    assert pile["records_read"] == pile["sum"] == 107
    assert [(c["check"], c["left"], c["right"]) for c in pile["checks"]] == [
        ("ingest: records read = document records + rejects + skips", 107, 107),
        ("ingest -> filter: documents", 75, 75),
        ("ingest -> filter: document records", 75, 75),
        ("filter: in = filtered + kept", 75, 75),
        ("filter -> dedup: documents", 67, 67),
        ("dedup: in = exact + near + kept (documents)", 67, 67),
        ("dedup: in = exact + near + kept (bytes)", 355799, 355799),
        ("dedup -> decontaminate: documents", 59, 59),
        ("decontaminate: in = kept + dropped", 59, 59),
        ("decontaminate -> shards: documents", 58, 58),
        (IDENTITY, 107, 107),
    ]
    assert report["sources"]["reddit"]["accounting"]["terms"]["contaminated"] == 1
    assert report["sources"]["ccnews"]["accounting"]["terms"]["contaminated"] == 0  # cut, not dropped
    assert report["sources"]["pile"]["funnel"] == [
        ["read (records)", 107],
        ["ingested", 75],
        ["after filter", 67],
        ["after exact dedup", 61],
        ["kept", 59],
        ["after decontam", 58],
        ["tokenized", 58],
    ]
    t = report["totals"]
    assert (t["decontam_in"], t["decontam_documents_hit"], t["contaminated"], t["decontam_cut"]) == (
        213,
        6,
        2,
        4,
    )
    assert (t["decontam_kept"], t["tokenized"], t["decontam_removed_chars"]) == (211, 211, 3216)
    assert report["stage_seconds"]["decontaminate"] == 4.91
    c = report["decontaminate"]
    assert c["totals"] == {
        "in": 213,
        "documents_hit": 6,
        "dropped": 2,
        "cut": 4,
        "flagged": 0,
        "kept": 211,
        "removed_chars": 3216,
        "drop_reasons": {"cut_too_short": 2},
    }
    lambada = c["sets"]["lambada_test"]
    assert (lambada["items"], lambada["items_hit"], lambada["items_hit_share"]) == (6, 3, 0.5)
    assert lambada["documents_hit_by_source"] == {
        "bookcorpus": 1,
        "ccnews": 0,
        "ccstories": 0,
        "pile": 2,
        "reddit": 1,
    }
    assert lambada["examples"][0]["items"] == [{"location": "lambada_test:line 2", "text": None}]


def test_accounting_with_the_stage_off_reads_contaminated_0(out, capsys):
    (out / "stats" / "decontaminate.json").write_text(json.dumps(DECONTAMINATE_OFF))
    report = build_report(out)
    assert report["stages_found"] == ["ingest", "filter", "dedup", "decontaminate", "shards"]
    assert report["decontaminate"] is None and report["accounting_status"] == OK
    pile = report["sources"]["pile"]["accounting"]
    assert (pile["terms"]["contaminated"], pile["terms"]["tokenized"], pile["missing"]) == (0, 59, [])
    assert [c["check"] for c in pile["checks"]][-2:] == [
        "dedup -> shards: documents",  # the stage was off: dedup hands its documents to the shards
        IDENTITY,
    ]
    assert report["sources"]["pile"]["numbers"]["contaminated"] == 0
    assert "after decontam" not in [step for step, _ in report["sources"]["pile"]["funnel"]]
    text = render_text(report)
    assert "stages with stats: ingest, filter, dedup, decontaminate (off), shards\n" in text
    assert (
        "pile: records read 107 = rejects 5 + skips 27 + merged 0 + filtered 8 + exact dups 6 + near dups 2 + "
        "contaminated 0 + tokenized 59 -> ok" in text.splitlines()
    )
    assert "contamination" not in text
    page = render_html(report)
    assert "Contamination" not in page and "<mark>" not in page
    assert "stages with stats: ingest, filter, dedup, decontaminate (off), shards;" in page
    assert main([str(out), "--no-html"]) == 0


def test_builds_without_decontaminate_stats_render_as_before(out):
    report = build_report(out)
    assert report["decontaminate"] is None and "decontaminate" not in report["stages_found"]
    header, text = render_text(report).split("\n", 1)  # the header line holds the OUT path
    assert text.startswith("stages with stats: ingest, filter, dedup, shards\n")  # not listed as missing
    assert "contamination" not in text and "decontam" not in text
    page = render_html(report)
    assert f"<style>{CSS}</style>" in page  # no contamination CSS
    assert "Contamination" not in page and "<mark>" not in page and "contaminated (dropped)" not in page
    assert 'width="880"' in page.split('<svg id="funnel"')[1].split(">")[0]


def test_a_document_decontamination_dropped_but_the_shards_tokenized_is_a_mismatch(decontaminated):
    _edit(decontaminated, "shards", lambda d: d["sources"]["pile"].update(docs=59))
    report = build_report(decontaminated)
    pile = report["sources"]["pile"]["accounting"]
    assert pile["status"] == MISMATCH and report["accounting_status"] == MISMATCH
    assert [(c["check"], c["left"], c["right"]) for c in pile["checks"] if not c["ok"]] == [
        ("decontaminate -> shards: documents", 58, 59),
        (IDENTITY, 107, 108),
    ]
    with pytest.raises(AccountingError) as caught:
        check_report(report)
    assert str(caught.value) == (
        "end-to-end accounting does not balance:\n"
        "  pile: records read 107 = rejects 5 + skips 27 + merged 0 + filtered 8 + exact dups 6 + near dups 2 + "
        "contaminated 1 + tokenized 59 -> MISMATCH\n"
        "    failed: decontaminate -> shards: documents: 58 != 59\n"
        "    failed: records read = rejects + skips + merged + filtered + exact_dups + near_dups + contaminated + "
        "tokenized: 107 != 108"
    )


def test_decontaminate_hand_offs_name_where_the_numbers_part(decontaminated):
    # the stage says it read 60 pile documents and kept 59 of them: dedup handed it 59
    _edit(decontaminated, "decontaminate", lambda d: d["sources"]["pile"].update({"in": 60, "kept": 59}))
    _edit(decontaminated, "shards", lambda d: d["sources"]["pile"].update(docs=59))
    pile = build_report(decontaminated)["sources"]["pile"]["accounting"]
    assert [(c["check"], c["left"], c["right"]) for c in pile["checks"] if not c["ok"]] == [
        ("dedup -> decontaminate: documents", 59, 60),
        (IDENTITY, 107, 108),
    ]
    # it read the 59, dropped 1 and says it kept 57: the shards tokenized 58
    _edit(decontaminated, "decontaminate", lambda d: d["sources"]["pile"].update({"in": 59, "kept": 57}))
    _edit(decontaminated, "shards", lambda d: d["sources"]["pile"].update(docs=58))
    pile = build_report(decontaminated)["sources"]["pile"]["accounting"]
    assert [c["check"] for c in pile["checks"] if not c["ok"]] == [
        "decontaminate: in = kept + dropped",
        "decontaminate -> shards: documents",
    ]


def test_text_contamination_section(decontaminated):
    text = render_text(build_report(decontaminated), top=2)
    section = text[text.index("contamination: ") :]
    tables = section[: section.index("\ncontamination examples")]
    assert tables == (
        "contamination: 13-word n-grams against 2 evaluation sets (11 items); action cut (margin 200 characters)\n"
        "documents hit 6 of 213: dropped 2 (cut_too_short=2), cut 4, flagged 0; characters removed 3,216\n"
        "\n"
        "decontaminate per source (documents)\n"
        "source       in  hit  dropped  cut  flagged  kept  chars removed\n"
        "----------  ---  ---  -------  ---  -------  ----  -------------\n"
        "bookcorpus   48    1        0    1        0    48          1,082\n"
        "ccnews       21    1        0    1        0    21            566\n"
        "ccstories    61    0        0    0        0    61              0\n"
        "pile         59    3        1    2        0    58          1,332\n"
        "reddit       24    1        1    0        0    23            236\n"
        "total       213    6        2    4        0   211          3,216\n"
        "\n"
        "evaluation set items found in the corpus (items hit / items)\n"
        "evaluation set  items  items hit  items found  documents hit  n-grams matched\n"
        "--------------  -----  ---------  -----------  -------------  ---------------\n"
        "lambada_test        6          3        50.0%              4               39\n"
        "piqa_valid          5          3        60.0%              3               56\n"
        "\n"
        "documents hit by evaluation set (row) and source (column)\n"
        "set \\ source  bookcorpus  ccnews  ccstories  pile  reddit  total\n"
        "------------  ----------  ------  ---------  ----  ------  -----\n"
        "lambada_test           1       0          0     2       1      4\n"
        "piqa_valid             1       1          0     1       0      3\n"
        "\n"
        "n-grams matched by evaluation set (row) and source (column)\n"
        "set \\ source  bookcorpus  ccnews  ccstories  pile  reddit  total\n"
        "------------  ----------  ------  ---------  ----  ------  -----\n"
        "lambada_test          10       0          0    20       9     39\n"
        "piqa_valid            20      19          0    17       0     56\n"
    )
    examples = section[section.index("contamination examples") :].splitlines()
    assert examples[:5] == [
        "contamination examples (corpus text with the match in [[ ]], then the evaluation item)",
        "lambada_test: 2 of 4 examples recorded by the stage",  # --top 2
        "#1 bookcorpus/books/b000_00007.txt#0 (bookcorpus)  characters 1,185-1,312  10 n-grams",
        '    corpus  "... sad. Thomas waited beyond the road at last. Most [[when the orchestra finally stopped '
        "tuning the old conductor lifted his baton and the whole hall fell silent ex...]] of the plans cried "
        'alone beyond the bridge. Georg..."',
        "    item    lambada_test:line 2  (item text not in the stats)",
    ]
    assert examples[-3:] == [
        "#2 ccnews/news-000.warc.gz#5 (ccnews)  characters 1,173-1,339  19 n-grams",
        '    corpus  "...untry had laughed. Her great station knew my door [[How do you keep cut apples from '
        "turning brown? Brush the slices with a little lemon juice right after cutting ...]] beyond that "
        'city. There was a hungry woman throug..."',
        "    item    piqa_valid:line 1  (item text not in the stats)",
    ]
    assert "#3 " not in section


def test_item_texts_are_shown_when_the_stats_carry_them(decontaminated):
    def add_texts(d):
        d["sets"]["lambada_test"]["examples"][0]["item_texts"] = ["when the orchestra finally stopped"]
        d["sets"]["piqa_valid"]["item_texts"] = {
            "piqa_valid:line 1": ["How do you keep <apples>", "& pears?"]
        }

    _edit(decontaminated, "decontaminate", add_texts)
    report = build_report(decontaminated)
    sets = report["decontaminate"]["sets"]
    assert sets["lambada_test"]["examples"][0]["items"] == [
        {"location": "lambada_test:line 2", "text": "when the orchestra finally stopped"}
    ]
    assert [e["items"][0]["text"] for e in sets["piqa_valid"]["examples"]] == [
        None,  # piqa_valid:line 4: not among the set's item_texts
        "How do you keep <apples> & pears?",
        None,
    ]
    lines = render_text(report, top=2).splitlines()
    assert '    item    lambada_test:line 2  "when the orchestra finally stopped"' in lines
    assert '    item    piqa_valid:line 1  "How do you keep <apples> & pears?"' in lines
    page = render_html(report)
    assert (
        "<span class=tag>evaluation item</span>piqa_valid:line 1<div class=snip>"
        "How do you keep &lt;apples&gt; &amp; pears?</div>" in page
    )


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts, and the texts inside <mark>."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.marks: list[str] = []
        self.in_cell = self.in_mark = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.tables[-1][-1].append("")
            self.in_cell = True
        elif tag == "mark":
            self.marks.append("")
            self.in_mark = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False
        elif tag == "mark":
            self.in_mark = False

    def handle_data(self, data):
        if self.in_cell:
            self.tables[-1][-1][-1] += data
        if self.in_mark:
            self.marks[-1] += data


def test_html_contamination_section(decontaminated):
    assert main([str(decontaminated)]) == 0
    html = (decontaminated / "report" / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    page.close()
    assert page.external == [] and "script" not in page.tags  # still self-contained
    assert page.svg_ids == ["funnel", "s-curve", "candidate-jaccard", "cluster-sizes"]
    assert "<h2>Contamination</h2>" in html and "mark{background" in html
    assert "after decontam" in page.text and "pile after decontam: 58" in page.text
    assert 'width="1006"' in html.split('<svg id="funnel"')[1].split(">")[0]  # 7 legend entries fit
    # everything from the corpus is escaped: the planted piqa item holds <b>, & and quotes
    assert "<b>bold</b>" not in html and "<b>permanent</b>" not in html
    assert (
        "How to mark a &lt;b&gt;bold&lt;/b&gt; label &amp; keep it &quot;dry&quot;? Write on masking tape "
        "with a &lt;b&gt;permanent&lt;/b&gt; marker &amp; cover" in html
    )
    tables = _Tables()
    tables.feed(html)
    contamination = tables.tables[-4:]  # per source, the set shares, the two matrices
    assert contamination[0][0] == [
        "source",
        "in",
        "hit",
        "dropped",
        "cut",
        "flagged",
        "kept",
        "characters removed",
    ]
    assert contamination[0][-1] == ["total", "213", "6", "2", "4", "0", "211", "3,216"]
    assert contamination[1] == [
        ["evaluation set", "items", "items hit", "items found", "documents hit", "n-grams matched"],
        ["lambada_test", "6", "3", "50.0%", "4", "39"],
        ["piqa_valid", "5", "3", "60.0%", "3", "56"],
    ]
    assert contamination[2] == [
        ["set ↓ source →", "bookcorpus", "ccnews", "ccstories", "pile", "reddit"],
        ["lambada_test", "1", "0", "0", "2", "1"],
        ["piqa_valid", "1", "1", "0", "1", "0"],
    ]
    assert contamination[3] == [
        ["set ↓ source →", "bookcorpus", "ccnews", "ccstories", "pile", "reddit"],
        ["lambada_test", "10", "0", "0", "20", "9"],
        ["piqa_valid", "20", "19", "0", "17", "0"],
    ]
    # one <mark> per example (4 lambada_test, 3 piqa_valid), holding exactly the matched text
    stats = json.loads((decontaminated / "stats" / "decontaminate.json").read_text())
    matches = [e["match"] for s in stats["sets"].values() for e in s["examples"]]
    assert tables.marks == [" ".join(m.split()) for m in matches] and len(matches) == 7
    assert html.count("<i>item text not in the stats</i>") == 7
    assert "contaminated (dropped)" in page.text


def test_decontaminate_stage_table(decontaminated):
    stats = json.loads((decontaminated / "stats" / "decontaminate.json").read_text())
    assert stage_table("decontaminate", stats) == (
        "decontaminate: sample (4.87 s; 13-word n-grams, action cut)\n"
        "source      in  hit  dropped  cut  kept  balance\n"
        "----------  --  ---  -------  ---  ----  -------\n"
        "bookcorpus  48    1        0    1    48       ok\n"
        "ccnews      21    1        0    1    21       ok\n"
        "ccstories   61    0        0    0    61       ok\n"
        "pile        59    3        1    2    58       ok\n"
        "reddit      24    1        1    0    23       ok\n"
        "\n"
        "evaluation set  items  items hit  items found  documents hit  n-grams matched\n"
        "--------------  -----  ---------  -----------  -------------  ---------------\n"
        "lambada_test        6          3        50.0%              4               39\n"
        "piqa_valid          5          3        60.0%              3               56"
    )
    stats["sources"]["pile"]["balanced"] = False
    assert "pile        59    3        1    2    58  MISMATCH" in stage_table("decontaminate", stats)
    assert stage_table("decontaminate", DECONTAMINATE_OFF) == (
        "decontaminate: sample: off (the recipe names no evaluation set)"
    )
