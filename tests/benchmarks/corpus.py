"""Deterministic synthetic corpus of Vietnamese news articles, built from the five samples.

The samples are cut into sentences, clauses and captions; their named entities (phường, people,
cities, years, body dates) become slots that each article fills with recombined names, so the
corpus has the samples' vocabulary and shapes but many distinct titles and events. Each file
takes one of the samples' five shapes (lead-first with a CAPS byline, title + "dd/mm/yyyy hh:mm",
title + lead + byline, ALL CAPS title, section + "Ngày đăng …" line) and a few carry real-world
mess: CRLF, a UTF-8 BOM, NFD text, Windows-1258.

Article `i` depends only on (seed, i), so a 1,000-article corpus is a prefix of the
10,000-article one with the same seed.

    python -m tests.benchmarks.corpus OUT_DIR --count 10000 [--seed 1] [--manifest FILE]
    python -m tests.benchmarks.corpus --cached --count 10000   # prints the cached corpus path
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: Bump whenever the output for a given (count, seed) changes: it keys the corpus cache.
GENERATOR_VERSION = 1

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "articles"

# --- Entities found in the samples; they become slots in the sentence templates. ------------

SAMPLE_PLACES = (
    "Tân Sơn Hòa", "Tân Sơn Nhất", "Hạnh Thông", "An Nhơn",
    "Đức Xuân", "Mỹ Thới", "Mỹ Thạnh", "Giang Biên",
)  # fmt: skip
SAMPLE_CITIES = ("TP.HCM", "Long Xuyên", "Long Biên")
SAMPLE_PEOPLE = (
    "Trương Lê Mỹ Ngọc", "Cù Ngọc Cường", "Triệu Thị Thu Hoài", "Đặng Thị Hoa Rây",
    "Đường Hoài Nam", "Ngô Mạnh Điềm", "Vũ Thị Thân", "Vũ Thị Thành", "Nguyễn Mạnh Trình",
)  # fmt: skip

# Syllables of those names, recombined into new ones.
PLACE_SYLLABLES = (
    "Tân", "Sơn", "Hòa", "Nhất", "Hạnh", "Thông", "An", "Nhơn", "Đức", "Xuân",
    "Mỹ", "Thới", "Thạnh", "Giang", "Biên", "Long", "Xuyên", "Nam", "Hoa",
)  # fmt: skip
FAMILY_NAMES = ("Trương", "Cù", "Triệu", "Đặng", "Đường", "Ngô", "Vũ", "Nguyễn", "Lê")
MIDDLE_NAMES = ("Lê", "Ngọc", "Thị", "Hoài", "Mạnh", "Thu", "Mỹ", "Hoa", "Minh", "Cẩm")
GIVEN_NAMES = (
    "Ngọc", "Cường", "Hoài", "Rây", "Nam", "Điềm", "Thân", "Thành", "Trình",
    "Tuyết", "Hoa", "Xuân", "Hạnh", "Thông", "Nhơn", "Đức", "Mạnh", "Thạnh",
)  # fmt: skip
BYLINE_FIRST = ("Cẩm", "Minh", "Thu", "Hoài", "Ngọc", "Mỹ", "Hoa", "Xuân")
CREDITS = ("BP", "BP", "CTV", "T.L", "Minh Cường", "Cẩm Tuyết")
SECTIONS = (
    "Tin tức - Sự kiện nổi bật", "Tin tức - Sự kiện", "Tin tức - Hoạt động",
    "Xây dựng Đảng", "Chính quyền - Đoàn thể", "An ninh - Quốc phòng",
)  # fmt: skip

# Title vocabulary: phrases from the samples.
ORGS = (
    "Đảng ủy phường", "UBND phường", "HĐND phường", "Công an phường", "Ủy ban MTTQ phường",
    "Đảng bộ phường", "Thường trực Đảng ủy phường", "Ban Thường vụ Đảng ủy phường",
    "Ủy ban nhân dân phường",
)  # fmt: skip
VERBS = (
    "tổ chức hội nghị về", "ký kết quy chế phối hợp về", "làm việc về", "triển khai",
    "tổng kết", "giao ban chuyên đề về", "trao đổi kinh nghiệm về", "đẩy mạnh",
    "nâng cao chất lượng", "rà soát", "sơ kết", "tăng cường",
)  # fmt: skip
TOPICS = (
    "đảm bảo an ninh trật tự", "công tác xây dựng Đảng", "công tác dân vận",
    "chuyển đổi số", "cải cách hành chính", "sinh hoạt chi bộ",
    "bầu cử đại biểu Quốc hội và HĐND các cấp", "phòng chống dịch bệnh Covid-19",
    "quy hoạch chung trên địa bàn", "bồi thường giải phóng mặt bằng", "mô hình dân vận khéo",
    "quản lý đảng viên", "an ninh trật tự địa bàn giáp ranh", "dịch vụ công trực tuyến",
    "quy chế dân chủ cơ sở", "công tác kiểm tra, giám sát", "công tác quy hoạch cán bộ",
    "hệ thống chính trị tổ dân phố", "phát triển kinh tế - xã hội", "hành lang an toàn đường bộ",
    "giữ vững ANTT địa bàn",
)  # fmt: skip
TITLE_TEMPLATES = (
    "{k} phường ở {c} ký quy chế phối hợp giữ an ninh trật tự",
    "Ban Thường vụ Thành ủy làm việc với tập thể Đảng ủy phường {p0}",
    "Thành ủy {c} làm việc về công tác xây dựng Đảng và công tác dân vận tại phường {p0} và {p1}",
    "Giao ban chuyên đề về thực hiện công tác tổ chức xây dựng đảng ở phường {p0}",
    "Đảng ủy các phường {p0}, {p1}, {p2} ký kết quy chế phối hợp về {topic}",
    "{org} {p0} {verb} {topic}",
    "{org} {p0} {verb} {topic}",
    "{org} {p0} {verb} {topic}",
    "{org} {p0} {verb} {topic} năm {y}",
    "{org} {p0} và {p1} {verb} {topic}",
    "Quận ủy {c} {verb} {topic}",
    "Đồng chí {n0} làm việc với Đảng ủy phường {p0} về {topic}",
)
CAPTION_EXTRA = (
    "Quang cảnh hội nghị", "Toàn cảnh buổi làm việc", "Quang cảnh buổi làm việc",
    "Đồng chí {n0} phát biểu tại hội nghị", "Đồng chí {n1} trao đổi tại chương trình",
    "Các đại biểu tham dự hội nghị", "Đại biểu dự hội nghị tại phường {p0}",
)  # fmt: skip

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass(frozen=True, slots=True)
class Pools:
    """Templates cut from the samples: `str.format_map` strings with entity slots."""

    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    openers: tuple[str, ...]  # first clauses of sentences that have several
    clauses: tuple[str, ...]  # later clauses (lower-case start), to follow an opener
    captions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Generated:
    """One synthetic article: its relative path, encoded bytes and the truth about it."""

    relpath: str
    data: bytes
    shape: str
    encoding: str
    mess: str  # comma-separated: crlf, bom, nfd (empty when clean)
    title: str  # "" when the article has no title line (shape A)
    date: str  # what the text says: YYYY-MM-DD, or --MM-DD when it gives no year
    time: str
    author: str
    section: str
    true_year: int
    duplicate_of: int | None  # index of the article reporting the same event


# --- Cutting the samples into templates. -----------------------------------------------------

_DATELINE = re.compile(
    r"^(?:(?:Sáng|Chiều|Tối|Trưa)\s+)?(?:ngày\s+)?\d{1,2}[/-]\d{1,2}(?:[/-]\d{4})?,\s*"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[^\W\d_])")
_CREDIT = re.compile(r"\.?\s*Ảnh:\s*\S.*$")
_BODY_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/20\d\d\b")
_YEAR = re.compile(r"\bnăm 20\d\d\b")


def _templatize(text: str) -> str:
    """Replace the samples' entities with slots: places p0…, people n0…, city c, years y."""
    text = _BODY_DATE.sub("{bd}", _YEAR.sub("năm {y}", text))
    text = text.replace("TP.HCM", "{c}")
    for city in SAMPLE_CITIES[1:]:
        text = text.replace(city, "{c}")
    for kind, names in (("p", SAMPLE_PLACES), ("n", SAMPLE_PEOPLE)):
        found = sorted((text.find(n), n) for n in names if n in text)
        for slot, (_, name) in enumerate(found[:4]):
            text = text.replace(name, "{%s%d}" % (kind, slot))  # noqa: UP031 (braces)
    return text.replace("bà Ngọc", "bà {g0}")


@cache
def load_pools(samples_dir: Path = SAMPLES_DIR) -> Pools:
    """Read the sample articles and cut them into lead, sentence, clause and caption templates."""
    leads: list[str] = []
    sentences: list[str] = []
    captions: list[str] = []
    for path in sorted(samples_dir.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        body_seen = False
        for n, line in enumerate(lines):
            is_last = n == len(lines) - 1
            if line.startswith("Ngày đăng") or (is_last and line.endswith(":")):
                continue  # dateline, boilerplate
            if is_last and len(line) < 40 and not line.endswith("."):
                continue  # byline
            short = len(line) < 160 and not line.endswith((".", "…", ";"))
            if not body_seen and short and not _DATELINE.match(line):
                continue  # section or title line
            if body_seen and (short or _CREDIT.search(line)) and len(line) < 160:
                captions.append(_templatize(_CREDIT.sub("", line)))
                continue
            body_seen = True
            para = line.rstrip().removesuffix("./.").removesuffix("..").rstrip()
            dateline = _DATELINE.match(para)
            parts = _SENTENCE_END.split(_templatize(para[dateline.end() :] if dateline else para))
            if dateline:
                leads.append(parts.pop(0))
            sentences.extend(p for p in parts if len(p) > 30)
    openers: list[str] = []
    clauses: list[str] = []
    for s in sentences:
        first, *rest = (c.strip().rstrip(".;…") for c in s.split("; "))
        if rest:
            openers.append(first)
            clauses.extend(c for c in rest if len(c) > 25 and c[0].islower())
    return Pools(
        leads=tuple(leads),
        sentences=tuple(sentences),
        openers=tuple(openers),
        clauses=tuple(clauses),
        captions=tuple(captions) + CAPTION_EXTRA,
    )


# --- Encoding mess. ---------------------------------------------------------------------------


class _Cp1258Form(dict[int, str]):
    """`str.translate` table: each letter as Windows-1258 holds it (base letter + tone mark)."""

    def __missing__(self, cp: int) -> str:
        parts = unicodedata.normalize("NFD", chr(cp))
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        self[cp] = out = base + tones
        return out


_CP1258_FORM = _Cp1258Form()


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed â ê ô ơ ư ă đ, tones as combining marks."""
    return text.translate(_CP1258_FORM).encode("cp1258")


# --- Building one article. --------------------------------------------------------------------


def _place(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(SAMPLE_PLACES)
    n = 3 if rng.random() < 0.2 else 2
    return " ".join(rng.sample(PLACE_SYLLABLES, n))


def _person(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(SAMPLE_PEOPLE)
    middles = rng.sample(MIDDLE_NAMES, 2 if rng.random() < 0.35 else 1)
    return " ".join([rng.choice(FAMILY_NAMES), *middles, rng.choice(GIVEN_NAMES)])


def _city(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(SAMPLE_CITIES)
    return " ".join(rng.sample(PLACE_SYLLABLES, 2))


def _date(rng: random.Random, year: int) -> tuple[int, int]:
    month = rng.randint(1, 12)
    return month, rng.randint(1, calendar.monthrange(year, month)[1])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Event:
    """What near-duplicate articles share: entities, date, title parts, candidate sentences."""

    def __init__(self, rng: random.Random, pools: Pools) -> None:
        self.year = rng.randint(2019, 2025)
        self.month, self.day = _date(rng, self.year)
        self.hour, self.minute = rng.randint(6, 22), rng.randint(0, 59)
        places: list[str] = []
        while len(places) < 4:
            p = _place(rng)
            if p not in places:
                places.append(p)
        people = [_person(rng) for _ in range(4)]
        bd_year = max(2017, self.year - rng.randint(0, 2))
        bd_month, bd_day = _date(rng, bd_year)
        self.slots: dict[str, str] = {
            **{f"p{i}": p for i, p in enumerate(places)},
            **{f"n{i}": n for i, n in enumerate(people)},
            "g0": people[0].rsplit(" ", 1)[-1],
            "c": _city(rng),
            "y": str(self.year),
            "bd": f"{bd_day:02d}/{bd_month:02d}/{bd_year}",
            "k": str(rng.randint(2, 6)),
            "org": rng.choice(ORGS),
            "verb": rng.choice(VERBS),
            "topic": rng.choice(TOPICS),
        }
        self.title_template = rng.choice(TITLE_TEMPLATES)
        self.lead = rng.choice(pools.leads) if rng.random() < 0.5 else None
        self.candidates = rng.sample(pools.sentences, min(24, len(pools.sentences)))

    def fill(self, template: str) -> str:
        return template.format_map(self.slots)


def _body(rng: random.Random, ev: _Event, pools: Pools, target: int) -> list[str]:
    """Sentences (some recombined from clauses) grouped into 3–12 paragraphs."""
    sentences: list[str] = []
    size = 0
    order = ev.candidates[:]
    rng.shuffle(order)
    while size < target or len(sentences) < 3:
        if order and rng.random() < 0.7:
            s = ev.fill(order.pop())
        else:
            picked = [rng.choice(pools.openers), *rng.sample(pools.clauses, rng.randint(1, 2))]
            s = ev.fill("; ".join(picked) + ".")
        sentences.append(s)
        size += len(s) + 1
    n_paras = min(rng.randint(3, 12), len(sentences))
    cuts = sorted(rng.sample(range(1, len(sentences)), n_paras - 1))
    bounds = [0, *cuts, len(sentences)]
    return [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]


SHAPES = ("A", "B", "C", "D", "E")
SHAPE_WEIGHTS = (20, 25, 15, 15, 25)
SITES = {"A": "tin-phuong", "B": "bao-thanh-pho", "C": "thanh-uy", "D": "dang-bo", "E": "quan-uy"}


def generate_article(index: int, seed: int, pools: Pools) -> Generated:
    """Article number `index` of the corpus with this seed (independent of the corpus size)."""
    rng = random.Random(f"{seed}:{index}")
    duplicate_of = index - 1 if index > 0 and rng.random() < 0.03 else None
    event = index if duplicate_of is None else duplicate_of
    ev = _Event(random.Random(f"{seed}:event:{event}"), pools)
    shape = rng.choices(SHAPES, SHAPE_WEIGHTS)[0]
    title = ev.fill(ev.title_template)
    if duplicate_of is not None:  # same event, another site's wording
        ev.slots["topic"] = rng.choice(TOPICS)
        title = ev.fill(rng.choice(TITLE_TEMPLATES))
    title = _cap(title)
    d, m, y = ev.day, ev.month, ev.year
    date_text = f"--{m:02d}-{d:02d}"
    time_text = author = section = ""
    lead = ev.fill(ev.lead) if ev.lead else f"{title}."
    target = int(rng.triangular(1000, 3400, 1400))
    paras = _body(rng, ev, pools, target)
    n_captions = rng.choices((0, 1, 2, 3), (25, 35, 25, 15))[0]
    captions = [ev.fill(c) for c in rng.sample(pools.captions, n_captions)]

    head: list[str] = []
    tail: list[str] = []
    sep = "\n\n"
    if shape == "A":
        title = ""
        lead = f"{rng.choice(('Chiều', 'Sáng', 'Tối'))} {d}-{m}, {lead}"
        author = f"{rng.choice(BYLINE_FIRST)} {rng.choice(GIVEN_NAMES)}".upper()
        tail = [author]
    elif shape == "B":
        time_text = f"{min(ev.hour + 6, 23):02d}:{ev.minute:02d}"
        date_text = f"{y}-{m:02d}-{d:02d}"
        head = [f"{title} {d:02d}/{m:02d}/{y} {time_text}"]
        lead = f"Chiều {d}-{m}, {lead}"
        credit = rng.choice(CREDITS)
        captions = [f"{c}. Ảnh: {credit}" for c in captions]
        if rng.random() < 0.1:
            author = f"{rng.choice(BYLINE_FIRST)} {rng.choice(GIVEN_NAMES)}"
            tail = [author]
    elif shape == "C":
        head = [title]
        if rng.random() < 0.3:
            lead = f"Sáng ngày {d}/{m}/{y}, {lead}"
            date_text = f"{y}-{m:02d}-{d:02d}"
        else:
            lead = f"{rng.choice(('Chiều', 'Sáng'))} {d}/{m}, {lead}"
        paras[-1] += "./."
        if rng.random() < 0.8:
            author = f"{rng.choice(BYLINE_FIRST)} {rng.choice(GIVEN_NAMES)}"
            tail = [author]
        if rng.random() < 0.3:
            captions = [f"{c} (Ảnh: {rng.choice(CREDITS)})" for c in captions]
    elif shape == "D":
        title = title.upper()
        head = [title]
        lead = f"Sáng ngày {d}/{m}, {lead} "
        paras = [f" {p}" for p in paras]
        paras[-1] += "./. \n "
        sep = "\n"
        captions = []
    else:  # E
        section = rng.choice(SECTIONS)
        published = ev.day + rng.randint(0, 2)
        pd, pm, py = (published, m, y) if published <= calendar.monthrange(y, m)[1] else (d, m, y)
        time_text = f"{ev.hour:02d}:{ev.minute:02d}"
        views = int(rng.paretovariate(1.2) * 300)
        date_text = f"{py}-{pm:02d}-{pd:02d}"
        posted = f"Ngày đăng {pd:02d}/{pm:02d}/{py} | {time_text}  | Lượt xem: {views}"
        head = [section, f"{title}\n{posted}"]
        lead = f"Chiều ngày {d:02d}/{m}/{y}, {lead}"
        paras[-1] += "./."
        tail = ["Một số hình ảnh tại Hội nghị:"]
        captions = []

    body = [lead, *paras]
    for c in captions:
        body.insert(rng.randint(1, len(body)), c)
    text = sep.join([*head, *body, *tail]) + "\n"

    mess: list[str] = []
    encoding = "utf-8"
    roll = rng.random()
    if roll < 0.005:
        encoding = "cp1258"
        text = text.replace("\n", "\r\n")
        data = encode_cp1258(text)
    else:
        if roll < 0.025:
            text = unicodedata.normalize("NFD", text)
            mess.append("nfd")
        if rng.random() < 0.03:
            text = text.replace("\n", "\r\n")
            mess.append("crlf")
        data = text.encode("utf-8")
        if rng.random() < 0.02:
            data = b"\xef\xbb\xbf" + data
            mess.append("bom")
            encoding = "utf-8-sig"

    site = SITES[shape]
    year_known = date_text[0] != "-"
    folder = f"{site}/{y}/{m:02d}" if year_known else f"{site}/khac/{index // 2000:03d}"
    name = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
    return Generated(
        relpath=f"{folder}/{name}",
        data=data,
        shape=shape,
        encoding=encoding,
        mess=",".join(mess),
        title=title,
        date=date_text,
        time=time_text,
        author=author,
        section=section,
        true_year=y,
        duplicate_of=duplicate_of,
    )


def generate(count: int, seed: int = 1) -> Iterator[Generated]:
    """The first `count` articles of the corpus with this seed."""
    pools = load_pools()
    for i in range(count):
        yield generate_article(i, seed, pools)


MANIFEST_COLUMNS = (
    *("path", "shape", "encoding", "mess", "title", "date", "time", "author", "section"),
    *("true_year", "duplicate_of"),
)


def write_corpus(
    out_dir: Path, count: int, seed: int = 1, manifest: Path | None = None
) -> dict[str, float]:
    """Write the corpus under `out_dir` (and a TSV of the truth to `manifest`); return stats."""
    start = time.perf_counter()
    made: set[str] = set()
    total = 0
    rows: list[str] = []
    for art in generate(count, seed):
        folder, _, _ = art.relpath.rpartition("/")
        if folder not in made:
            (out_dir / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        with open(out_dir / art.relpath, "wb") as handle:
            handle.write(art.data)
        total += len(art.data)
        if manifest is not None:
            values = [getattr(art, c) if c != "path" else art.relpath for c in MANIFEST_COLUMNS]
            rows.append("\t".join("" if v is None else str(v) for v in values))
    if manifest is not None:
        manifest.write_text(
            "\t".join(MANIFEST_COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
    return {"files": count, "bytes": total, "seconds": time.perf_counter() - start}


def cache_root() -> Path:
    """Where generated corpora are kept ($READER_BENCH_CACHE, else the temp dir)."""
    env = os.environ.get("READER_BENCH_CACHE")
    return Path(env) if env else Path(tempfile.gettempdir()) / "reader-bench"


def cached_corpus(count: int, seed: int = 1, *, quiet: bool = False) -> tuple[Path, dict]:
    """The articles folder of a cached corpus (generated on first use) and its stats.

    Layout: <cache>/corpus-v<version>-n<count>-s<seed>/{articles/, manifest.tsv, info.json}.
    """
    entry = cache_root() / f"corpus-v{GENERATOR_VERSION}-n{count}-s{seed}"
    info_path = entry / "info.json"
    if info_path.exists():
        return entry / "articles", json.loads(info_path.read_text())
    if not quiet:
        print(f"generating {count:,} articles (seed {seed}) into {entry} …", file=sys.stderr)
    tmp = entry.with_name(f"{entry.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "articles").mkdir(parents=True)
    info = write_corpus(tmp / "articles", count, seed, manifest=tmp / "manifest.tsv")
    (tmp / "info.json").write_text(json.dumps(info))
    try:
        tmp.rename(entry)
    except OSError:  # another run finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return entry / "articles", json.loads(info_path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="folder to write the articles to")
    parser.add_argument("--count", type=int, default=1000, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--manifest", type=Path, help="also write the truth as TSV here")
    parser.add_argument("--cached", action="store_true", help="use/fill the cache, print path")
    args = parser.parse_args(argv)
    if args.cached:
        path, info = cached_corpus(args.count, args.seed)
        print(path)
        return 0
    if args.out_dir is None:
        parser.error("give OUT_DIR or --cached")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    info = write_corpus(args.out_dir, args.count, args.seed, args.manifest)
    print(
        f"{info['files']:,} files, {info['bytes'] / 1e6:.1f} MB in {info['seconds']:.1f} s"
        f" -> {args.out_dir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
