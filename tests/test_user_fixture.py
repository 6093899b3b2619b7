"""A test written the way a user of pylon-client writes one: the `pylon` fixture, nothing else."""

from __future__ import annotations

import pytest

from pylon_client import AsyncPylon, F
from pylon_client.testing import FakePylon


async def onboard(pylon: AsyncPylon, account_id: str) -> str:
    """A user's own service code: open a project with a kickoff task, return the project id."""
    project = await pylon.projects.create(account_id=account_id, name="Onboarding")
    await pylon.tasks.create(title="Kickoff call", account_id=account_id, project_id=project.id)
    return str(project.id)


@pytest.mark.anyio
async def test_onboarding_creates_a_kickoff_task(pylon: AsyncPylon, fake_pylon: FakePylon) -> None:
    """The service's project and task land in the fake and are found by a search."""
    account_id = next(iter(fake_pylon.accounts))
    project_id = await onboard(pylon, account_id)
    found = await pylon.tasks.search(filter=F("project_id").equals(project_id)).collect()
    assert [t.title for t in found] == ["Kickoff call"]
    assert fake_pylon.projects[project_id]["name"] == "Onboarding"
