"""``registry report ...`` end to end, in subprocesses, on a scratch database of the run's engine."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reports.helpers import CODE_RE, assert_cjk_font_embedded, pdf_text
from tests.support import scratch_database_env

REGISTRY = str(Path(sys.executable).with_name("registry"))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], list[dict[str, Any]]]]:
    with scratch_database_env(tmp_path_factory.mktemp("report-cli"), "reportcli") as env:
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run(
            [sys.executable, "-m", "tests.reports.cli_seed"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield env, json.loads(done.stdout.strip().splitlines()[-1])


def run(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGISTRY, "report", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_batch_writes_one_pdf_per_kindergarten_into_a_folder(
    seeded: tuple[dict[str, str], list[dict[str, Any]]], tmp_path: Path
) -> None:
    env, kindergartens = seeded
    out = tmp_path / "pdfs"
    done = run(env, "kindergartens", "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "wrote 3 PDF(s)" in done.stdout and "2 workers" in done.stdout
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == [f"kindergarten-{k['code']}.pdf" for k in kindergartens]
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert manifest[0] == "kindergarten_code,kindergarten_name,file,verification_code,pages"
    assert len(manifest) == 4
    for kg, line in zip(kindergartens, manifest[1:], strict=True):
        code, name, file, verification, pages = line.split(",")
        assert (code, name, file) == (kg["code"], kg["name"], f"kindergarten-{kg['code']}.pdf")
        pdf = (out / file).read_bytes()
        text = pdf_text(pdf)
        assert kg["name"] in text and kg["staff"] in text
        assert verification in text.replace("-", "") and int(pages) >= 1
        assert_cjk_font_embedded(pdf)
    # every code the batch printed can be checked
    first = manifest[1].split(",")[3]
    checked = run(env, "verify", first)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["kind"] == "kindergarten_staffing"


def test_batch_into_a_zip_and_a_single_report(
    seeded: tuple[dict[str, str], list[dict[str, Any]]], tmp_path: Path
) -> None:
    env, _ = seeded
    target = tmp_path / "all.zip"
    done = run(env, "kindergartens", "--out", str(target), "--kindergarten", "RPT001", "--kindergarten", "RPT003")
    assert done.returncode == 0, done.stderr + done.stdout
    with zipfile.ZipFile(target) as z:
        assert sorted(z.namelist()) == ["kindergarten-RPT001.pdf", "kindergarten-RPT003.pdf", "manifest.csv"]
        assert "命令行丙幼儿园" in pdf_text(z.read("kindergarten-RPT003.pdf"))
    single = tmp_path / "one.pdf"
    one = run(env, "kindergarten", "--kindergarten", "RPT002", "--out", str(single))
    assert one.returncode == 0, one.stderr
    assert "命令行乙幼儿园" in pdf_text(single.read_bytes())
    assert CODE_RE.search(one.stdout)
    missing = run(env, "kindergarten", "--kindergarten", "NOPE", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode != 0 and "没有代码为 NOPE 的幼儿园" in missing.stderr  # the operator reads Chinese
    unknown = run(env, "verify", "0000-0000-0000-0000")
    assert unknown.returncode != 0 and "没有与此验证码对应的文件" in unknown.stderr
