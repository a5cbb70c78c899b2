"""The demo station built on a bureau server scores exactly as the same demo on a station's file
(issue #19, "done when"): every period's totals, ranks and grades, person by person. Its own
module: building the demo on the server takes a minute or more, and with `--dist loadfile` a
module of its own goes to whichever worker is free."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import cli
from desktop.models import stores
from tests.factories import period_scores


def test_the_demo_built_on_the_server_scores_as_on_a_file(  # type: ignore[no-untyped-def]
        bureau, demo_template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import DEMO_UNTIL

    on_server = stores.with_station(bureau, "150302001")
    assert cli.main(["--db", on_server, "demo", "--until", DEMO_UNTIL]) == 0
    assert "演示单位已建立：postgresql" in capsys.readouterr().out
    server, local = period_scores(on_server), period_scores(demo_template)
    assert server.keys() == local.keys() and sum(len(rows) for rows in local.values()) > 400
    for code in local:
        assert server[code] == local[code], code
    # A second demo does not overwrite it; the bureau's own schema never takes one over a station.
    assert cli.main(["--db", on_server, "demo", "--until", DEMO_UNTIL]) == 2
    assert "演示数据不会覆盖它" in capsys.readouterr().err
