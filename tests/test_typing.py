"""A user's strictly typed script type-checks: required fields typed as Pylon's SDK types them."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

SCRIPT = Path(__file__).parent / "typing" / "strict_user.py"


def test_a_strictly_typed_script_over_the_core_objects_passes_mypy_strict() -> None:
    """``mypy --strict`` accepts every ``assert_type`` on the fields usepylon requires."""
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--follow-imports=silent", str(SCRIPT)]
    )
    assert status == 0, out + err
    assert "Success" in out
