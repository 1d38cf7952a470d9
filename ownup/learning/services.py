"""The library's rules: search, similar mistakes and recurring patterns, for one person at a time.

Every answer starts from ``Mistake.objects.visible_to(user)``: the index is asked for candidates,
and only the ones this person may see are kept, so a confidential mistake never shows up in
someone else's results, similar list, patterns or digest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ownup.learning import index, semantic
from ownup.learning.query import Query, any_of, parse
from ownup.learning.sources import active_sources
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.services import InvalidInput

AnyUser = User | AnonymousUser

MAX_RESULTS = 100
# Candidates asked of the index beyond the results wanted: most mistakes are open, so one round
# nearly always suffices; a person who sees few of them gets further, larger rounds.
OVERFETCH = 10
MAX_ROUNDS = 8
# A mistake is like another when its record holds a fair share of the other's telling words, as
# search engines' "more like this" asks: one common word in both ("shared", "change") is not a
# likeness. Counted in words, so it holds alike for both engines and for a library of any size.
SIMILAR_SHARE = 0.3
SIMILAR_AT_LEAST = 3
TYPED_AT_LEAST = 2


@dataclass(frozen=True)
class Hit:
    mistake: Mistake
    score: float
    title: SafeString
    snippet: SafeString
    outcomes: list[tuple[str, str]] = field(default_factory=list)


def visible(user: AnyUser) -> QuerySet[Mistake]:
    return Mistake.objects.visible_to(user)


def search(user: AnyUser, text: str, *, limit: int = 20) -> list[Hit]:
    """The mistakes this person may see that match all the words typed, best first."""
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidInput({"limit": [f"Ask for between 1 and {MAX_RESULTS} results."]})
    query = parse(text)
    if not query:
        if query.excluded:
            left_out = " ".join(f"-{term}" for term in query.excluded)
            raise InvalidInput(
                {"q": [f"Add a word to look for: {left_out} only leaves words out."]}
            )
        raise InvalidInput({"q": ["Type a word or two to search for."]})
    return _hits(user, query, limit=limit)


def similar_to_text(user: AnyUser, text: str, *, limit: int = 5) -> list[Hit]:
    """Mistakes this person may see that share the telling words of a text, closest first.

    A title being typed is short: two words in common are enough, or one while it has fewer
    than three telling words.
    """
    query = any_of(text)
    if not query:
        return []
    sharing = TYPED_AT_LEAST if len(query.terms) >= 3 else 1
    return _hits(user, query, limit=limit, with_outcomes=True, sharing=sharing)


def similar_to_mistake(user: AnyUser, mistake: Mistake, *, limit: int = 5) -> list[Hit]:
    """Mistakes like this one: by its words, and by meaning when embeddings are stored."""
    tags = " ".join(t.name for t in mistake.tags.all())
    query = any_of(f"{mistake.title} {tags} {' '.join(mistake.description.split()[:60])}")
    by_words: list[Hit] = []
    if query:
        by_words = _hits(
            user,
            query,
            limit=limit,
            exclude=mistake.pk,
            with_outcomes=True,
            sharing=_words_to_share(len(query.terms)),
        )
    neighbours = semantic.neighbours(mistake.pk, visible(user), limit=limit)
    if not neighbours:
        return by_words
    # Reciprocal-rank fusion: a mistake near the top of either list comes near the top of both.
    fused: dict[int, float] = defaultdict(float)
    for rank, hit in enumerate(by_words):
        fused[hit.mistake.pk] += 1 / (60 + rank)
    for rank, (mistake_id, _) in enumerate(neighbours):
        fused[mistake_id] += 1 / (60 + rank)
    chosen = sorted(fused, key=lambda pk: -fused[pk])[:limit]
    known = {hit.mistake.pk: hit for hit in by_words}
    others = visible(user).filter(pk__in=[pk for pk in chosen if pk not in known])
    for found in others.select_related("severity"):
        known[found.pk] = Hit(found, fused[found.pk], _plain(found.title), _plain(""))
    _attach_outcomes([known[pk] for pk in chosen if pk in known])
    return [known[pk] for pk in chosen if pk in known]


def _words_to_share(telling_words: int) -> int:
    return min(telling_words, max(SIMILAR_AT_LEAST, ceil(SIMILAR_SHARE * telling_words)))


def _hits(
    user: AnyUser,
    query: Query,
    *,
    limit: int,
    exclude: int | None = None,
    with_outcomes: bool = False,
    sharing: int = 1,
) -> list[Hit]:
    """The best matches this person may see; those holding at least ``sharing`` of its terms."""
    batch = limit + OVERFETCH
    chosen: list[index.Match] = []
    mistakes: dict[int, Mistake] = {}
    offset = 0
    for _ in range(MAX_ROUNDS):
        candidates = index.matches(query, limit=batch, offset=offset)
        ids = [c.mistake_id for c in candidates if c.mistake_id != exclude]
        if sharing > 1:
            shared = index.shared_terms(query, ids)
            ids = [pk for pk in ids if shared.get(pk, 0) >= sharing]
            if not ids:
                break  # best first: when none of these shares enough, the weaker ones will not
        # Visibility and the records in one question: only what this person may see comes back.
        found = visible(user).filter(pk__in=ids).select_related("severity", "team").order_by()
        mistakes.update((m.pk, m) for m in found)
        chosen += [c for c in candidates if c.mistake_id in mistakes]
        if len(chosen) >= limit or len(candidates) < batch:
            break
        offset += batch
        batch *= 2  # this person sees few of the matches: look further, faster
    chosen = chosen[:limit]
    prefetch_related_objects([mistakes[c.mistake_id] for c in chosen], "tags")
    marks = index.highlights(query, [c.mistake_id for c in chosen])
    hits = []
    for candidate in chosen:
        mistake = mistakes[candidate.mistake_id]
        mark = marks.get(candidate.mistake_id)
        hits.append(
            Hit(
                mistake=mistake,
                score=candidate.score,
                title=mark.title if mark else _plain(mistake.title),
                snippet=mark.snippet if mark else _plain(""),
            )
        )
    if with_outcomes:
        _attach_outcomes(hits)
    return hits


def _plain(text: str) -> SafeString:
    return mark_safe(escape(text))


def _attach_outcomes(hits: Sequence[Hit]) -> None:
    """What contained, fixed or was learned from each mistake, from the sources that provide it."""
    ids = [hit.mistake.pk for hit in hits]
    for source in active_sources():
        if not source.outcome:
            continue
        texts = source.outcomes_for(ids)
        for hit in hits:
            hit.outcomes.extend((source.label, text) for text in texts.get(hit.mistake.pk, []))


# ------------------------------------------------------------------ recurring patterns


@dataclass
class Pattern:
    """Mistakes that keep happening: what they share, how many, and when."""

    name: str
    mistakes: list[Mistake]
    by_month: list[tuple[date, int]]

    @property
    def count(self) -> int:
        return len(self.mistakes)

    @property
    def peak(self) -> int:
        return max((n for _, n in self.by_month), default=0)


PATTERN_WINDOW_DAYS = 365
PATTERN_SAMPLE = 400  # the most recent mistakes grouped by their words
MIN_PATTERN_SIZE = 3
WORDS_OVERLAP = 0.5
PART_OF_LARGER = 0.75


def patterns(user: AnyUser, *, now: datetime | None = None, limit: int = 8) -> list[Pattern]:
    """Groups of similar mistakes of the last year that this person may see, largest first.

    Two mistakes belong together when they share a tag, or when most of the telling words of
    their titles are the same, or (with the semantic extra) when their meanings are close.
    """
    now = now or timezone.now()
    since = now - timedelta(days=PATTERN_WINDOW_DAYS)
    recent = list(
        visible(user)
        .filter(reported_at__gte=since)
        .prefetch_related("tags")
        .order_by("-reported_at")[:PATTERN_SAMPLE]
    )
    groups: list[tuple[str, list[Mistake]]] = []
    by_tag: dict[str, list[Mistake]] = defaultdict(list)
    for mistake in recent:
        for tag in mistake.tags.all():
            by_tag[tag.name].append(mistake)
    groups += [(f"tagged “{tag}”", ms) for tag, ms in by_tag.items()]
    groups += _word_groups(recent)
    groups += [("close in meaning", ms) for ms in semantic.groups(recent)]

    found: list[Pattern] = []
    shown: list[frozenset[int]] = []
    for name, members in sorted(groups, key=lambda g: -len(g[1])):
        key = frozenset(m.pk for m in members)
        # A group inside a larger one already shown tells nothing new, unless it is a clear
        # part of it: three mistakes about prices among four tagged "billing".
        if len(members) < MIN_PATTERN_SIZE or any(
            key <= bigger and len(key) > PART_OF_LARGER * len(bigger) for bigger in shown
        ):
            continue
        shown.append(key)
        found.append(Pattern(name, members, _by_month(members, now)))
        if len(found) >= limit:
            break
    return found


def _word_groups(mistakes: list[Mistake]) -> list[tuple[str, list[Mistake]]]:
    words = {m.pk: set(any_of(m.title).terms) for m in mistakes}
    parent = {m.pk: m.pk for m in mistakes}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for i, first in enumerate(mistakes):
        for second in mistakes[i + 1 :]:
            a, b = words[first.pk], words[second.pk]
            if a and b and len(a & b) / min(len(a), len(b)) >= WORDS_OVERLAP and len(a & b) >= 2:
                parent[root(first.pk)] = root(second.pk)
    clusters: dict[int, list[Mistake]] = defaultdict(list)
    for mistake in mistakes:
        clusters[root(mistake.pk)].append(mistake)
    named = []
    for members in clusters.values():
        if len(members) < MIN_PATTERN_SIZE:
            continue
        counts = Counter(w for m in members for w in words[m.pk])
        # The shared words, in the order the first of them says them.
        shared = [w for w in any_of(members[-1].title).terms if counts[w] * 2 >= len(members)]
        named.append(("about “" + " ".join(shared[:4]) + "”", members))
    return named


def _by_month(mistakes: list[Mistake], now: datetime) -> list[tuple[date, int]]:
    counts = Counter(timezone.localtime(m.reported_at).date().replace(day=1) for m in mistakes)
    month = timezone.localtime(now).date().replace(day=1)
    months = []
    for _ in range(12):
        months.append((month, counts.get(month, 0)))
        month = (month - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


# ------------------------------------------------------------------ digest and anniversary


@dataclass(frozen=True)
class Digest:
    closed: list[Mistake]
    lessons: list[tuple[Mistake, str]]

    def __bool__(self) -> bool:
        return bool(self.closed or self.lessons)


def digest_for(user: AnyUser, start: datetime, end: datetime) -> Digest:
    """What closed in the period, with the lessons learned, among what this person may see."""
    closed = list(
        visible(user)
        .filter(stage=Stage.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .order_by("closed_at", "pk")
    )
    return Digest(closed=closed, lessons=_lessons_of(closed))


def _lessons_of(mistakes: Sequence[Mistake]) -> list[tuple[Mistake, str]]:
    """Each mistake's lessons, in the order of the mistakes."""
    by_id = {m.pk: m for m in mistakes}
    texts: dict[int, list[str]] = defaultdict(list)
    for source in active_sources():
        if source.lesson:
            for mistake_id, written in source.outcomes_for(by_id).items():
                texts[mistake_id] += written
    return [(mistake, text) for mistake in mistakes for text in texts[mistake.pk]]


LESSONS_LOOKED_AT = 200  # the latest closed mistakes the library's front page looks in


def latest_lessons(user: AnyUser, limit: int = 10) -> list[tuple[Mistake, str]]:
    """The lessons of the mistakes closed last, among what this person may see."""
    closed = visible(user).filter(stage=Stage.CLOSED).order_by("-closed_at", "-pk")
    return _lessons_of(list(closed[:LESSONS_LOOKED_AT]))[:limit]


ANNIVERSARY = timedelta(days=365)
ANNIVERSARY_GRACE = timedelta(days=30)  # a worker that was down for a while still sends them


def anniversaries_due(now: datetime) -> QuerySet[Mistake]:
    """Closed mistakes whose first year is up and whose owner has not been asked yet."""
    return (
        Mistake.objects.filter(
            stage=Stage.CLOSED,
            closed_at__lte=now - ANNIVERSARY,
            closed_at__gt=now - ANNIVERSARY - ANNIVERSARY_GRACE,
            owner__is_active=True,
            anniversaryreminder__isnull=True,
        )
        .exclude(owner__email="")
        .select_related("owner")
    )


def hit_record(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.mistake.pk,
        "url": hit.mistake.get_absolute_url(),
        "title": hit.mistake.title,
        "stage": hit.mistake.stage,
        "reported_at": hit.mistake.reported_at,
        "score": round(hit.score, 4),
        "title_highlighted": str(hit.title),
        "snippet": str(hit.snippet),
        "outcomes": hit.outcomes,
    }
