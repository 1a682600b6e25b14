"""The `office` fixture of the black-box scenarios (see scenario_office.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_office import Office

from lifecycle.services.app import Lifecycle

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each scenario walks a programme through the real CLI, one process per step, for tens of
    seconds: they are slow tests (`-m "not slow"` leaves them out of a quick run)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def office(app: Lifecycle, db_url: str, tmp_path: Path) -> Office:
    """A database initialised with alice as its first admin, and the CLI pointed at it."""
    return Office(app, db_url, tmp_path)
