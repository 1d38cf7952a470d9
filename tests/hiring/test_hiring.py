import pytest
from django.contrib.auth.models import Group

from ownup.hiring.models import HIRING_TEAM, Question, Scorecard


@pytest.fixture
def recruiter(make_user):
    user = make_user("rae")
    user.groups.add(Group.objects.get(name=HIRING_TEAM))
    return user


def test_the_question_bank_is_seeded(db):
    topics = set(Question.objects.values_list("topic", flat=True))
    assert topics == {"mistakes", "weaknesses", "growth"}
    assert Question.objects.count() >= 10


def test_the_hiring_team_records_a_scorecard(client, recruiter):
    client.force_login(recruiter)
    page = client.get("/hiring/")
    assert page.status_code == 200
    assert "Candour rubric" in page.content.decode()
    answer = client.post(
        "/hiring/",
        {
            "candidate": "Sam Doe",
            "role": "Accountant",
            "interviewed_on": "2026-11-20",
            "candour": "3",
            "evidence": "Told of a wrong payment run and the check she added.",
            "recommendation": "hire",
        },
    )
    scorecard = Scorecard.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == scorecard.get_absolute_url()
    assert scorecard.interviewer == recruiter
    assert "Sam Doe" in client.get(scorecard.get_absolute_url()).content.decode()
    invalid = client.post("/hiring/", {"candidate": "No score"})
    assert invalid.status_code == 200
    assert Scorecard.objects.count() == 1


def test_others_get_404(client, recruiter, admin_user, reporter):
    scorecard = Scorecard.objects.create(
        candidate="Sam",
        role="Clerk",
        interviewer=recruiter,
        interviewed_on="2026-11-20",
        candour=2,
        evidence="-",
        recommendation="unsure",
    )
    for outsider in (reporter, admin_user):
        client.force_login(outsider)
        for path in (
            "/hiring/",
            scorecard.get_absolute_url(),
            "/hiring/guide/",
            "/hiring/guide.pdf",
        ):
            assert client.get(path).status_code == 404, path


def test_the_guide_prints_as_pdf(client, recruiter):
    client.force_login(recruiter)
    assert "Candour rubric" in client.get("/hiring/guide/").content.decode()
    pdf = client.get("/hiring/guide.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_main_menu_shows_the_kit_to_the_hiring_team_only(client, recruiter, admin_user):
    client.force_login(recruiter)
    page = client.get("/mistakes/").content.decode()
    assert '<a href="/hiring/">Hiring</a>' in page
    assert (
        '<a href="/hiring/" aria-current="page">Hiring</a>'
        in client.get("/hiring/").content.decode()
    )
    client.force_login(admin_user)
    assert 'href="/hiring/"' not in client.get("/mistakes/").content.decode()


def test_the_guide_asks_about_the_lessons_of_open_mistakes_only(client, reporter):
    from ownup.monitoring.models import Lesson
    from ownup.reporting import services as reporting

    open_one = reporting.report({"title": "Invoices with old prices"}, reporter=reporter)
    team_one = reporting.report(
        {"title": "Payroll run twice", "team": "billing", "confidentiality": "team"},
        reporter=reporter,
    )
    Lesson.objects.create(mistake=open_one, learned="A price list needs a date.", advice="Date it")
    Lesson.objects.create(mistake=team_one, learned="Payroll needs two eyes.", advice="Review")
    # A recruiter of the billing team sees both mistakes, and the guide still leaves one out.
    reporter.groups.add(Group.objects.get(name=HIRING_TEAM))
    client.force_login(reporter)

    guide = client.get("/hiring/guide/").content.decode()

    assert "From our own lessons" in guide
    assert "One of our teams learned: \u201cA price list needs a date.\u201d" in guide
    assert "Payroll" not in guide
