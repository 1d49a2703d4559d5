"""Content-calendar inputs: the example folder loads, and bad input is located precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baton.errors import ConfigError, InputError
from baton.tools.marketing.brand import DEFAULT_BRAND_CONFIG, load_brand_config
from baton.tools.marketing.inputs import (
    chunk_text,
    document_text,
    load_analytics,
    load_brand_documents,
    load_competitor_chunks,
    load_roadmap,
    load_run_options,
    parse_run_options,
)
from baton.tools.marketing.testing import EXAMPLE_DIR

HEADER = "url,title,topic,published,sessions,conversions,avg_position,search_volume\n"
ROW = "https://x.test/a,A title,decaf coffee,2025-01-02,100,5,12.5,900\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "marketing"
    shutil.copytree(EXAMPLE_DIR, target)
    return target


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the example


def test_example_folder_loads() -> None:
    rows = load_analytics(EXAMPLE_DIR / "analytics.csv")
    assert len(rows) == 30
    assert any(r.search_volume is not None for r in rows)
    assert any(r.search_volume is None for r in rows)

    chunks = load_competitor_chunks(EXAMPLE_DIR / "competitors")
    sources = {cid.split("#")[0] for cid, _ in chunks}
    assert len(sources) >= 5
    assert {Path(s).suffix for s in sources} == {".md", ".txt", ".html"}
    assert all(cid.startswith("competitors/") for cid, _ in chunks)

    roadmap = load_roadmap(EXAMPLE_DIR / "roadmap.yaml", "2026-11")
    assert [e.name for e in roadmap.launches] == [
        "Fernleaf Cold Brew Pods",
        "Fernleaf product carbon footprints",
    ]
    options = load_run_options(EXAMPLE_DIR / "run.yaml")
    assert options.channels == ["blog", "newsletter", "linkedin"]
    assert options.posts_in_month("blog") == 8  # floor(2 * 30 / 7)
    assert options.spacing_for("newsletter") == 6

    docs = load_brand_documents(EXAMPLE_DIR / "brand")
    assert 2 <= len(docs) <= 3
    assert all(text for _, text in docs)


def test_default_brand_config_loads() -> None:
    brand = load_brand_config()
    assert brand.title_max_chars == 60
    assert brand.meta_description_max_chars == 155
    assert "biodegradable" in brand.banned_words
    assert brand.required_ctas


def test_html_text_drops_scripts_styles_and_entities() -> None:
    text = document_text(EXAMPLE_DIR / "competitors" / "orla-finch-carbon-neutral.html")
    assert "window.analytics" not in text
    assert "font-family" not in text
    assert "Orla & Finch" in text
    assert "\n\n" in text  # block elements become paragraph breaks


def test_chunk_text_respects_max_chars() -> None:
    text = "\n\n".join(["One sentence here. Another one follows."] * 20)
    chunks = chunk_text(text, max_chars=100)
    assert len(chunks) > 5
    assert all(len(c) <= 100 for c in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


# --------------------------------------------------------------------------- analytics.csv


@pytest.mark.parametrize(
    ("body", "line", "column", "fragment"),
    [
        (HEADER.replace(",sessions", "") + ROW, 1, "sessions", "missing required column"),
        (HEADER + ROW.replace(",100,", ",many,"), 2, "sessions", "'many' is not a whole number"),
        (HEADER + ROW.replace("2025-01-02", "02/01/2025"), 2, "published", "date"),
        (HEADER + ROW.replace(",5,", ",500,"), 2, "conversions", "exceed sessions"),
        (HEADER + ROW.replace(",12.5,", ",-3,"), 2, "avg_position", "positive number"),
        (HEADER + ROW + ROW, 3, "url", "duplicate url, first seen on line 2"),
        (HEADER + ROW.replace("A title", ""), 2, "title", "non-empty"),
    ],
)
def test_bad_analytics_cells_name_line_and_column(
    tmp_path: Path, body: str, line: int, column: str, fragment: str
) -> None:
    path = _write(tmp_path / "analytics.csv", body)
    with pytest.raises(InputError) as err:
        load_analytics(path)
    assert err.value.line == line
    assert err.value.column == column
    assert fragment in str(err.value)
    assert str(path) in str(err.value)


def test_ragged_row_and_empty_files(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", HEADER + ROW + "https://x.test/b,only,three\n")
    with pytest.raises(InputError, match="expected 8 fields, found 3") as err:
        load_analytics(path)
    assert err.value.line == 3

    with pytest.raises(InputError, match="file is empty"):
        load_analytics(_write(tmp_path / "b.csv", ""))
    with pytest.raises(InputError, match="no data rows"):
        load_analytics(_write(tmp_path / "c.csv", HEADER))
    with pytest.raises(InputError, match="file not found"):
        load_analytics(tmp_path / "missing.csv")


def test_search_volume_is_optional_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    body = "url,title,topic,published,sessions,conversions,avg_position,bounce\n"
    body += 'https://x.test/a,T,decaf,2025-01-02,"1,200",5,3.5,0.4\n'
    rows = load_analytics(_write(tmp_path / "a.csv", body))
    assert rows[0].sessions == 1200
    assert rows[0].search_volume is None


def test_malformed_csv_quoting_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", HEADER + 'https://x.test/a,"bad"quote",t,2025-01-02,1,0,1,\n')
    with pytest.raises(InputError, match="malformed CSV") as err:
        load_analytics(path)
    assert err.value.line == 2


# --------------------------------------------------------------------------- roadmap.yaml


def test_roadmap_date_outside_month_names_line_and_field(folder: Path) -> None:
    path = folder / "roadmap.yaml"
    path.write_text(path.read_text().replace("date: 2026-11-24", "date: 2026-12-03"))
    with pytest.raises(InputError) as err:
        load_roadmap(path, "2026-11")
    message = str(err.value)
    assert "events[1].date" in message
    assert "outside the run month 2026-11" in message
    assert err.value.line == path.read_text().splitlines().index("    date: 2026-12-03") + 1


def test_roadmap_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "roadmap.yaml", "events:\n  - name: X\n    date: [2026-11-02\n")
    with pytest.raises(InputError, match="invalid YAML") as err:
        load_roadmap(path, "2026-11")
    assert err.value.line is not None


def test_roadmap_missing_field_and_wrong_type(tmp_path: Path) -> None:
    body = "events:\n  - name: X\n    date: 2026-11-02\n    audience: everyone\n"
    with pytest.raises(InputError, match=r"events\[0\]\.key_messages: required field is missing"):
        load_roadmap(_write(tmp_path / "r.yaml", body), "2026-11")
    body += "    key_messages: [a]\n    kind: party\n"
    with pytest.raises(InputError, match=r"events\[0\]\.kind") as err:
        load_roadmap(_write(tmp_path / "r.yaml", body), "2026-11")
    assert err.value.line == 6


def test_roadmap_duplicate_names(tmp_path: Path) -> None:
    event = "  - name: Same\n    date: 2026-11-02\n    audience: all\n    key_messages: [a]\n"
    with pytest.raises(InputError, match="duplicate name"):
        load_roadmap(_write(tmp_path / "r.yaml", "events:\n" + event + event), "2026-11")


# --------------------------------------------------------------------------- run options / brand


def test_unknown_channel_is_rejected_with_field(folder: Path) -> None:
    path = folder / "run.yaml"
    path.write_text(path.read_text().replace("[blog, newsletter, linkedin]", "[blog, linkdin]"))
    with pytest.raises(InputError, match="channels: unknown channel 'linkdin'") as err:
        load_run_options(path)
    assert err.value.line == 3


def test_run_options_channel_maps_must_match_channels() -> None:
    with pytest.raises(ConfigError, match="posts_per_week has no entry for channel 'linkedin'"):
        parse_run_options(
            {"month": "2026-11", "channels": ["blog", "linkedin"], "posts_per_week": {"blog": 1}}
        )
    with pytest.raises(ConfigError, match="not in channels"):
        parse_run_options(
            {
                "month": "2026-11",
                "channels": ["blog"],
                "posts_per_week": 1,
                "min_spacing_days": {"x": 2},
            }
        )
    with pytest.raises(ConfigError, match="month"):
        parse_run_options({"month": "2026-13", "channels": ["blog"], "posts_per_week": 1})
    options = parse_run_options(
        {"month": "2026-11", "channels": ["Blog"], "posts_per_week": 3, "weekdays": ["Tuesday"]}
    )
    assert options.posts_per_week == {"blog": 3}
    assert options.weekdays == ["tue"]
    options = parse_run_options(
        {"month": "2026-11", "channels": ["blog"], "posts_per_week": {"Blog ": 2}}
    )
    assert options.posts_in_month("blog") == 8


def test_brand_config_error_names_file_line_and_field(tmp_path: Path) -> None:
    text = DEFAULT_BRAND_CONFIG.read_text()
    path = _write(tmp_path / "brand.yaml", text.replace("max_grade: 9", "max_grade: hard"))
    with pytest.raises(ConfigError) as err:
        load_brand_config(path)
    message = str(err.value)
    line = text.splitlines().index("  max_grade: 9") + 1
    assert message.startswith(f"{path}:{line}: reading_level.max_grade:")
    assert "\n" not in message

    path = _write(tmp_path / "brand2.yaml", text + "\nunknown_rule: 1\n")
    with pytest.raises(ConfigError, match="unknown_rule: unknown field"):
        load_brand_config(path)
