import pytest

try:
    import xdist  # noqa: F401
except ImportError:  # without pytest-xdist, one process: the name xdist gives the controller

    @pytest.fixture(scope="session")
    def worker_id():
        return "master"
