"""The `reader` command as scripts use it: output, JSON, exit codes, stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reader.cli import main

from conftest import ARTICLES


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_prints_newest_first(capsys):
    code, out, err = run(capsys, "list", str(ARTICLES))
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert [line[:3] for line in lines] == ["001", "004", "000", "002", "003"]
    _id, date, title = lines[0].split("\t")
    assert date == "2025-10-22"
    assert title == "4 phường ở TP.HCM ký quy chế phối hợp giữ an ninh trật tự"


def test_list_defaults_to_the_bundled_samples(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and len(out.splitlines()) == 5


def test_list_json_has_the_metadata(capsys):
    code, out, _ = run(capsys, "list", str(ARTICLES), "--json")
    rows = {r["id"][:3]: r for r in map(json.loads, out.splitlines())}
    assert code == 0 and len(rows) == 5
    keys = {
        "id",
        "path",
        "title",
        "title_derived",
        "date",
        "time",
        "author",
        "section",
        "views",
        "encoding",
        "words",
        "captions",
    }
    assert all(keys <= r.keys() for r in rows.values())
    assert rows["000"]["title_derived"] is True
    assert rows["000"]["date"] == "--10-22" and rows["000"]["author"] == "CẨM TUYẾT"
    assert rows["001"]["date"] == "2025-10-22" and rows["001"]["time"] == "21:06"
    assert rows["004"]["section"] == "Tin tức - Sự kiện nổi bật"
    assert rows["004"]["views"] == 1351
    assert rows["002"]["captions"] == ["Toàn cảnh buổi làm việc"]


def test_show_prints_the_article_like_the_reader_pane(capsys):
    code, out, _ = run(capsys, "show", "002_9e5efd48ea74ce59.txt", str(ARTICLES))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "Ban Thường vụ Thành ủy làm việc với tập thể Đảng ủy phường Đức Xuân"
    assert set(lines[1]) == {"="}
    assert "13/04 (year unknown)" in lines[2] and "Minh Cường" in lines[2]
    assert "    Toàn cảnh buổi làm việc" in lines  # the caption is set apart
    assert lines[-1] == "Minh Cường"  # byline last
    assert "\x1b" not in out


def test_show_marks_a_title_derived_from_the_lead(capsys):
    code, out, _ = run(capsys, "show", "000_a0a02f5c6af17f43.txt", str(ARTICLES))
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Đảng ủy các phường")
    assert "title taken from the lead" in lines[2]
    # the lead it came from is shown whole, as the first paragraph
    assert lines[4].startswith("Chiều 22-10, Đảng ủy các phường")


def test_show_unknown_id_fails_with_a_message(capsys):
    code, out, err = run(capsys, "show", "nope.txt", str(ARTICLES))
    assert code == 1 and out == "" and "nope.txt" in err


def test_search_hits_and_exit_codes(capsys):
    code, out, _ = run(capsys, "search", "duc xuan", str(ARTICLES))
    assert code == 0 and out.splitlines()[0].startswith("002")
    code, out, _ = run(capsys, "search", "zzqxw", str(ARTICLES))
    assert code == 1 and out == ""


def test_search_json_has_score_and_spans(capsys):
    code, out, _ = run(capsys, "search", "long xuyen", str(ARTICLES), "--json", "--limit", "1")
    hits = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(hits) == 1
    hit = hits[0]
    assert hit["id"].startswith("003") and hit["score"] > 0
    lit = " ".join(hit["title"][start:end] for start, end in hit["title_spans"])
    assert "LONG" in lit and "XUYÊN" in lit


@pytest.mark.parametrize(
    "argv",
    [
        ["search"],
        ["search", "x", "--limit", "0"],
        ["list", "--bogus"],
        ["show"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    assert capsys.readouterr().err


def test_nothing_loadable_exits_1_and_says_why(capsys, tmp_path):
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    code, out, err = run(capsys, "list", str(tmp_path))
    assert code == 1 and out == ""
    assert "junk.txt" in err


def test_problems_go_to_stderr_and_loading_goes_on(capsys, tmp_path):
    (tmp_path / "junk.txt").write_bytes(b"\x00\xff" * 100)
    (tmp_path / "ok.txt").write_text("Tiêu đề\n\nNội dung bài viết.", encoding="utf-8")
    code, out, err = run(capsys, "list", str(tmp_path))
    assert code == 0 and out.splitlines()[0].endswith("Tiêu đề")
    assert "junk.txt" in err and "ok.txt" not in err


def test_tui_with_no_such_path_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "missing"))
    assert code == 2 and "missing" in err


def test_python_dash_m_reader_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "reader", "list", str(ARTICLES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 5


WORKERS_UNDER_THE_UI = """
import io, sys
from reader import cli, parallel_load
from reader.ui.app import ReaderApp

class Capture(io.StringIO):  # what Textual puts in place of sys.stderr while it runs
    def fileno(self):
        return -1

def run(self):
    sys.stderr = Capture()
    pool = parallel_load._start(1)
    try:
        print(pool.submit(int, "7").result(timeout=60))
    finally:
        pool.shutdown()

if __name__ == "__main__":
    ReaderApp.run = run
    sys.exit(cli.main([sys.argv[1]]))
"""


def test_the_tui_can_start_worker_processes_after_the_ui_captures_stderr(tmp_path):
    # The first pool starts multiprocessing's resource tracker, passing sys.stderr.fileno()
    # on: -1 under Textual, and the spawn failed, so every pool did (100,000 files then
    # loaded on one core, 42 s instead of 15 s). In a fresh process: the tracker must not
    # have been started by an earlier test.
    script = tmp_path / "tui_workers.py"
    script.write_text(WORKERS_UNDER_THE_UI, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(ARTICLES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["7"]
