"""docs/api.md's "Examples (curl)" run as written, so the documentation cannot rot.

The bash blocks of that section are joined into one script (in order: later examples use
the ids earlier ones made) and run by bash against a live server holding the demo data
(`seed_demo`, as a fresh `make run` has; its own documents' PDF jobs left queued, as
before `make run`'s worker takes them: tests/demo.py). Every `curl` runs with
`--fail-with-body` and the script with `set -euo pipefail`: an HTTP error, a failed
command or a missing variable stops it. The jobs the examples start (report runs,
statement imports, their invoice's PDF) run inline (the test settings' synchronous
django-q2), after the request's commit as in production.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.demo import seed_demo_pages

pytestmark = pytest.mark.once  # the docs' examples: CI runs them in its SQLite stage

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Examples (curl)"
PRELUDE = """\
set -euo pipefail
curl() { command curl --fail-with-body --show-error "$@"; }
"""


def example_script(text: str, api: str) -> str:
    """The bash blocks under SECTION (up to the next `## ` heading), `API=` pointed at
    `api`, behind PRELUDE."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else None]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    script = "\n".join(blocks)
    script, found = re.subn(r"(?m)^API=\S+$", f"API={api}", script)
    assert found == 1, "the examples set API= once"
    return PRELUDE + script


def test_the_section_holds_every_example():
    script = example_script(DOC.read_text(), "http://server/api/v1")
    numbers = [int(n) for n in re.findall(r"(?m)^# (\d+)\. ", script)]
    assert numbers == list(range(1, 13))
    assert script.count("curl ") >= 45
    assert "API=http://server/api/v1" in script


def test_every_curl_example_runs_against_a_live_server(live_server, transactional_db, tmp_path):
    # `make test` installs curl and jq (the browsers target); without them this fails here,
    # rather than skipping and leaving the documentation unchecked.
    missing = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]
    assert not missing, f"the examples need {', '.join(missing)}: run `make browsers`"
    seed_demo_pages()  # the examples' own invoice has its PDF rendered, as with a worker
    script = tmp_path / "examples.sh"
    script.write_text(example_script(DOC.read_text(), f"{live_server.url}/api/v1"))
    done = subprocess.run(
        ["bash", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert done.returncode == 0, f"stdout:\n{out}\nstderr:\n{done.stderr}"
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "pnl.csv").stat().st_size > 0
    # a few figures each example prints (docs/api.md says what they are)
    for expected in (
        '"confirmed"',  # 4. the order
        '"amount": "-10.00"',  # 5. the charge
        '"credit_left": "20.00"',  # 9. 30.00 of 50.00 applied ...
        '"refunded": "20.00"',  # ... and the rest paid back
        '"reversal_reason": "Cheque bounced"',
        '"status": "applied"',  # 10. the bank match confirmed ...
        '"open_amount": "0.00"',  # ... pays the invoice
    ):
        assert expected in out, (expected, out)
    # 11. issued 60 days ago on 14 days' terms (the shell's date vs the company's: +-1)
    assert re.search(r'"days_overdue": 4[567],', out), out
    runs = re.findall(r'(?m)^\["INV-\d{4}-\d{5}"\]$|^\[\]$', out)
    assert len(runs) == 2 and runs[1] == "[]", out  # 12. billed once, then nothing
