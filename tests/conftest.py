import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if not os.environ.get("MEDIMG_DATA_DIR") and SHARED_DATA.is_dir():
    os.environ["MEDIMG_DATA_DIR"] = str(SHARED_DATA)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "site: checks of the built site (run after `make book`)"
    )
