"""The `office` fixture of the black-box scenarios (see scenario_office.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_office import Office

from lifecycle.services.app import Lifecycle


@pytest.fixture
def office(app: Lifecycle, db_url: str, tmp_path: Path) -> Office:
    """A database initialised with alice as its first admin, and the CLI pointed at it."""
    return Office(app, db_url, tmp_path)
