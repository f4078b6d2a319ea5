"""`registry import` and `registry export` end to end, in subprocesses, on a scratch database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bulk.helpers import csv_file, read_xlsx, xlsx
from tests.support import new_id_number, scratch_database_env

REGISTRY = str(Path(sys.executable).with_name("registry"))


@pytest.fixture(scope="module")
def scratch_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with scratch_database_env(tmp_path_factory.mktemp("bulk-cli"), "bulkcli") as env:
        yield env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGISTRY, *args], env=env, capture_output=True, text=True, timeout=300)


def test_import_and_export_commands(scratch_env: dict[str, str], tmp_path: Path) -> None:
    assert run(scratch_env, "migrate").returncode == 0
    kgs = tmp_path / "kindergartens.csv"
    kgs.write_bytes(
        csv_file(
            ["园所代码", "园所名称", "街乡", "协作组", "办园性质"],
            [["CLI01", "命令行幼儿园", "望京街道", 3, "公办"]],
            "gbk",
        )
    )
    done = run(scratch_env, "import", "kindergartens", str(kgs))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 imported" in done.stdout

    headers = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "在岗状态"]
    rows = [
        [new_id_number(), "王芳", "CLI01", "专任教师", "在编", "待岗培训"],
        ["123", "李静", "CLI01", "教师", "在编", "在岗"],
    ]
    staff = tmp_path / "staff.xlsx"
    staff.write_bytes(xlsx(headers, rows))
    rejected = run(scratch_env, "import", "staff", str(staff))
    assert rejected.returncode == 1
    assert "nothing was imported" in rejected.stdout and "身份证号" in rejected.stdout

    errors = tmp_path / "errors.xlsx"
    partial = run(scratch_env, "import", "staff", str(staff), "--valid-only", "--errors-out", str(errors))
    assert partial.returncode == 0, partial.stdout + partial.stderr
    assert "1 imported" in partial.stdout
    assert [row[0] for row in read_xlsx(errors.read_bytes())[1:]] == [3]

    out = tmp_path / "export.xlsx"
    exported = run(scratch_env, "export", "staff", str(out), "--kindergarten", "CLI01")
    assert exported.returncode == 0, exported.stdout + exported.stderr
    sheet = read_xlsx(out.read_bytes())
    assert sheet[0][0] == "身份证号" and sheet[1][0] == rows[0][0]  # in full: the command line acts as HR
    again = run(scratch_env, "import", "staff", str(out))
    assert again.returncode == 0 and "1 already present" in again.stdout

    rounds = tmp_path / "title-round.csv"
    no_purpose = run(scratch_env, "export", "eligibility", str(rounds))
    assert no_purpose.returncode != 0 and "purpose" in no_purpose.stderr
    listed = run(scratch_env, "export", "eligibility", str(rounds), "--purpose", "title", "--on", "2025-06-30")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert read_csv_file(rounds)[0][:3] == ["园所代码", "园所名称", "姓名"]  # nobody on post yet: the header only
    assert len(read_csv_file(rounds)) == 1

    # on post without certificates: refused, unless recorded as found (双证上岗; the CLI acts as HR)
    on_post = tmp_path / "on-post.xlsx"
    on_post.write_bytes(xlsx(headers, [[new_id_number(), "赵敏", "CLI01", "专任教师", "在编", "在岗"]]))
    refused = run(scratch_env, "import", "staff", str(on_post))
    assert refused.returncode == 1 and "在岗状态" in refused.stdout, refused.stdout
    found = run(scratch_env, "import", "staff", str(on_post), "--as-found")
    assert found.returncode == 0 and "1 imported" in found.stdout, found.stdout + found.stderr

    assert run(scratch_env, "export", "staff", str(tmp_path / "x.pdf")).returncode != 0
    assert run(scratch_env, "import", "payroll", str(staff)).returncode != 0


def read_csv_file(path: Path) -> list[list[str]]:
    from tests.bulk.helpers import read_csv

    return read_csv(path.read_bytes())
