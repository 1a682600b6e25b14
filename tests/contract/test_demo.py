"""`lifecycle demo`: a portfolio of all seven programmes built through the real services."""

from __future__ import annotations

from lifecycle.demo.showcase import build_demo
from lifecycle.services.app import Lifecycle
from lifecycle.services.audit import verify_log


def test_the_demo_covers_all_seven_programmes_with_histories_and_a_verifying_log(app: Lifecycle) -> None:
    report = build_demo(app, "alice")
    programmes = {row["programme"] for row in report["by_state"]}
    assert programmes == {"bj-tic", "national-tic", "export-base", "ecommerce-base", "hitech-zone",
                          "tech-transfer", "ai-scenario"}
    states = {(row["programme"], row["state"]) for row in report["by_state"]}
    # Each programme shows more than its first step: outcomes of reviews and terminal states.
    assert {("export-base", "revoked"), ("ecommerce-base", "renewed"), ("hitech-zone", "rectification"),
            ("tech-transfer", "revoked"), ("ai-scenario", "expired")} <= states
    assert verify_log(app).ok


def test_running_the_demo_again_creates_nothing(app: Lifecycle) -> None:
    first = build_demo(app, "alice")
    second = build_demo(app, "alice")
    assert second["created"] == 0 and second["existing"] == first["created"]
