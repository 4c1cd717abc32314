"""A notebook run (nbclient, a real kernel, in a temp dir) shows data errors as one
line, not a traceback.

The reader's cases: the download cache is read-only or cannot be created, and the data
folder is missing. Tests run as root in CI, which chmod does not stop, so the read-only
folder comes from ``tests.test_data._readonly_folder`` (a chmod 0o555 folder, else
sysfs, where nobody can create a file) and the uncreatable one lies under a regular
file. Nothing reaches the network: ``MEDIMG_MIRROR`` points at a closed local port.
"""

import nbformat
from nbclient import NotebookClient

from tests.test_data import _readonly_folder

CELL = """import os
os.environ.update(MEDIMG_DATA_DIR={data!r}, MEDIMG_CACHE_DIR={cache!r}, MEDIMG_MIRROR="http://127.0.0.1:9")
from helpers import data
arrays = data.load_medmnist("breastmnist")"""


def test_data_errors_in_a_notebook_are_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "a_file").write_text("not a folder")
    # name: (MEDIMG_DATA_DIR, MEDIMG_CACHE_DIR, the exception, words in its message)
    cases = {
        "read-only cache": (
            tmp_path / "empty",
            _readonly_folder(tmp_path),
            "DataError",
            ["breastmnist.npz", "read-only", "MEDIMG_CACHE_DIR"],
        ),
        "uncreatable cache": (
            tmp_path / "empty",
            tmp_path / "a_file" / "cache",
            "DataError",
            ["cannot be created", "MEDIMG_CACHE_DIR"],
        ),
        "missing data folder": (
            tmp_path / "missing",
            tmp_path / "cache",
            "DataNotFoundError",
            ["breastmnist.npz", "MEDIMG_DATA_DIR", "which does not exist"],
        ),
    }
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(CELL.format(data=str(d), cache=str(c)))
        for d, c, _, _ in cases.values()
    ]
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    for (name, (_, _, ename, words)), cell in zip(cases.items(), nb.cells):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, (name, cell.outputs)
        error = errors[0]
        assert error.ename == ename and all(w in error.evalue for w in words), (
            name,
            error.evalue,
        )
        assert "\n" not in error.evalue
        assert error.traceback == [f"{ename}: {error.evalue}"], (
            name,
            error.traceback,
        )  # one line, no frames
