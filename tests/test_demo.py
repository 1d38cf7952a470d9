"""The demo organisation that `make run` loads."""

from django.contrib.auth.models import User
from huey.contrib.djhuey import HUEY

from ownup.demo import DEMO_PASSWORD, load_demo
from ownup.organisation.models import Team
from ownup.reporting.models import Mistake, Stage


def test_the_demo_has_people_teams_and_mistakes_in_several_stages(
    db, django_capture_on_commit_callbacks
):
    HUEY.flush()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo() is True
    assert set(Team.objects.values_list("slug", flat=True)) == {"billing", "platform"}
    ada = User.objects.get(username="ada")
    assert ada.is_superuser
    assert ada.check_password(DEMO_PASSWORD)
    stages = set(Mistake.objects.values_list("stage", flat=True))
    assert {Stage.REPORTED, Stage.CONTAINED, Stage.UNDERSTOOD, Stage.FIXED, Stage.CLOSED} <= stages
    for closed in Mistake.objects.filter(stage=Stage.CLOSED):
        assert closed.contained_at < closed.fixed_at < closed.closed_at
    # Nobody is emailed about the demo's stories.
    assert "notify_reported" not in {task.name for task in HUEY.pending()}


def test_the_demo_loads_once(db):
    load_demo()
    count = Mistake.objects.count()
    assert load_demo() is False
    assert Mistake.objects.count() == count


def test_the_demo_keeps_its_confidential_story_confidential(db):
    load_demo()
    eli = User.objects.get(username="eli")
    titles = set(Mistake.objects.visible_to(eli).values_list("title", flat=True))
    assert not any("Salary" in title for title in titles)
    assert any("Salary" in title for title in Mistake.objects.values_list("title", flat=True))
