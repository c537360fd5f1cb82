"""The resources service's command line: its own commands beside the kit's."""

from __future__ import annotations

import runpy

import pytest


def test_the_service_command_line_offers_republish_snapshots(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["resources_service", "republish-snapshots", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("resources_service", run_name="__main__")
    assert exited.value.code == 0
    assert "republish-snapshots" in capsys.readouterr().out
