"""notebooks/explore.ipynb runs headless against a fresh run of raw/ and draws its plots."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.run import RunConfig, run_batch

from conftest import RAW, ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notebook") / "output"
    result = run_batch(RunConfig(input_dir=RAW, out_dir=out, workers=1))
    assert result.exit_code == 0, [e.get("error") for e in result.failed]
    return out


@pytest.fixture
def kernel_of_this_python(tmp_path, monkeypatch):
    """A `python3` kernelspec that runs this interpreter: the one ipykernel installs calls
    whatever `python` is first on PATH, which need not be this environment's."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)",
        "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "python3"


def test_notebook_runs_headless_and_plots(dataset, kernel_of_this_python, monkeypatch):
    monkeypatch.setenv("SDG_OUTPUT", str(dataset))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    started = time.monotonic()
    NotebookClient(nb, timeout=60, kernel_name=kernel_of_this_python,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    assert time.monotonic() - started < 60
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    # units per tier, rating heatmap, indicator values with years, VNR priorities heatmap, VNR timeline
    assert len(images) == 5
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    for iso3 in ("BRA", "KAZ", "KEN"):
        assert iso3 in text
    assert "municipal_units" in text and "countries_with_a_value" in text and "first_review" in text


def test_notebook_answers_from_the_countries_table_and_draws_what_the_issue_asks():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert 'read("countries")' in source
    assert 'groupby(["country", "tier"])' not in source  # the double-counting sum of admin_units
    for name in ("units_per_tier", "rating_levels", "indicator_values", "vnr_priorities", "vnr_timeline"):
        assert f'show(fig, "{name}")' in source
    assert '"mid_high", "weak", "none", "no_elected_lrgs", "no_information"' in source  # ordered levels


def test_notebook_is_stored_without_outputs_and_reads_sdg_output():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    source = "\n".join(cell.source for cell in code)
    assert 'os.environ.get("SDG_OUTPUT", "../output")' in source
    assert 'matplotlib.use("Agg")' in source
