"""Book the starter's week-one sessions: deterministic, explainable, never forced.

Why a solver in code and not the model: a calendar is a hard-constraint problem (busy
time, time zones, lunch, a daily meeting cap) where one overlooked conflict is a real
double booking. The model may suggest *what* to schedule; this module decides *when*.

How: every session's possible start times are computed once on a grid (``slot_minutes``)
inside the starter's working hours; sessions are then placed most-constrained-first
(fewest possible starts, then longest, then most people) at the earliest start that still
fits, with depth-first backtracking under a fixed node budget. The search maximises the
number of sessions placed; a session that cannot be placed becomes a
:class:`SessionException` whose reason says which rule blocked it for whom. Nothing is
ever booked in breach of a rule. The budget counts nodes, not seconds, so the result is
the same on every machine.

Rules, each read in the participant's own time zone: inside working hours on a weekday,
clear of lunch, clear of their busy time and of other booked sessions, and at most
``max_meeting_hours_per_day`` of meetings per local day (existing meetings inside working
hours count too, unless ``count_existing_meetings`` is false).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime

from baton.tools.onboarding.calendars import (
    CalendarEvent,
    Publication,
    merge_intervals,
    render_ics,
)
from baton.tools.onboarding.config import OnboardingConfig, SchedulingConfig
from baton.tools.onboarding.models import STARTER_ID, Interval, Person, Problem, Record, Starter

Rule = Literal["hours", "lunch", "busy", "booked", "cap"]
RULE_ORDER: tuple[Rule, ...] = ("hours", "lunch", "busy", "booked", "cap")


class Attendee(Record):
    """Who fills one participant slot of a session (``slot`` is the config reference)."""

    person_id: str
    slot: str


class ScheduledSession(Record):
    """A booked session; times are aware datetimes (stored in UTC)."""

    session_id: str
    title: str
    start: AwareDatetime
    end: AwareDatetime
    attendees: tuple[Attendee, ...]
    description: str = ""

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.end, self.session_id)

    @property
    def person_ids(self) -> tuple[str, ...]:
        return tuple(a.person_id for a in self.attendees)


class SessionException(Record):
    """A required session that was not booked, and why; a human must resolve it.

    ``attendees`` holds whoever could be resolved so a reviewer can place it by hand;
    ``unresolved`` lists participant slots nobody could fill.
    """

    session_id: str
    title: str
    duration_minutes: int
    reason: str
    attendees: tuple[Attendee, ...] = ()
    unresolved: tuple[str, ...] = ()
    description: str = ""


class Schedule(Record):
    """Week one: its working days (starter-local), booked sessions and exceptions."""

    days: tuple[date, ...]
    sessions: tuple[ScheduledSession, ...]
    exceptions: tuple[SessionException, ...]


@dataclass(frozen=True)
class Pool:
    """A participant slot and the people who may fill it (one for a named person)."""

    slot: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class SessionRequest:
    """A session to place; ``first_day``/``last_day`` are 0-based indexes into week one."""

    session_id: str
    title: str
    duration: timedelta
    pools: tuple[Pool, ...]
    first_day: int
    last_day: int
    description: str = ""


@dataclass(frozen=True)
class AvailabilityRules:
    """The scheduling rules in the form the solver and the critic both use."""

    work_start: time
    work_end: time
    lunch_start: time
    lunch_end: time
    max_meeting_minutes: int
    count_existing_meetings: bool = True
    slot_minutes: int = 15

    @classmethod
    def from_config(cls, config: SchedulingConfig) -> AvailabilityRules:
        return cls(
            work_start=config.working_hours.start,
            work_end=config.working_hours.end,
            lunch_start=config.lunch.start,
            lunch_end=config.lunch.end,
            max_meeting_minutes=config.max_meeting_minutes,
            count_existing_meetings=config.count_existing_meetings,
            slot_minutes=config.slot_minutes,
        )


def _minutes(span: Interval) -> int:
    return int((span.end - span.start).total_seconds() // 60)


@dataclass
class Availability:
    """Answers "may this person attend this span?" for the solver and the critic alike."""

    tz_of: Mapping[str, ZoneInfo]
    busy: Mapping[str, Sequence[Interval]]
    rules: AvailabilityRules
    _existing: dict[tuple[str, date], int] = field(default_factory=dict)

    def local_day(self, person: str, moment: datetime) -> date:
        return moment.astimezone(self.tz_of[person]).date()

    def _local_bounds(self, person: str, day: date, start: time, end: time) -> Interval:
        tz = self.tz_of[person]
        return Interval(
            datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
        )

    def existing_minutes(self, person: str, day: date) -> int:
        """Minutes of existing meetings inside ``person``'s working hours on local ``day``."""
        if not self.rules.count_existing_meetings:
            return 0
        key = (person, day)
        if key not in self._existing:
            hours = self._local_bounds(person, day, self.rules.work_start, self.rules.work_end)
            clipped = [
                Interval(max(b.start, hours.start), min(b.end, hours.end))
                for b in self.busy.get(person, ())
                if b.overlaps(hours)
            ]
            self._existing[key] = sum(_minutes(s) for s in merge_intervals(clipped))
        return self._existing[key]

    def static_block(self, person: str, span: Interval) -> Rule | None:
        """The first rule ``span`` breaks for ``person`` ignoring other onboarding sessions."""
        tz = self.tz_of[person]
        local_start, local_end = span.start.astimezone(tz), span.end.astimezone(tz)
        day = local_start.date()
        if (
            day.weekday() >= 5
            or local_end.date() != day
            or local_start.time() < self.rules.work_start
            or local_end.time() > self.rules.work_end
        ):
            return "hours"
        if span.overlaps(
            self._local_bounds(person, day, self.rules.lunch_start, self.rules.lunch_end)
        ):
            return "lunch"
        if any(b.overlaps(span) for b in self.busy.get(person, ())):
            return "busy"
        if self.existing_minutes(person, day) + _minutes(span) > self.rules.max_meeting_minutes:
            return "cap"
        return None


@dataclass
class _Bookings:
    """Sessions booked so far during the search, per person and per local day."""

    spans: dict[str, list[Interval]] = field(default_factory=dict)
    minutes: Counter[tuple[str, date]] = field(default_factory=Counter)

    def add(self, person: str, span: Interval, day: date) -> None:
        self.spans.setdefault(person, []).append(span)
        self.minutes[(person, day)] += _minutes(span)

    def remove(self, person: str, span: Interval, day: date) -> None:
        self.spans[person].remove(span)
        self.minutes[(person, day)] -= _minutes(span)


def _dynamic_block(
    avail: Availability, booked: _Bookings, person: str, span: Interval
) -> Rule | None:
    if any(b.overlaps(span) for b in booked.spans.get(person, ())):
        return "booked"
    day = avail.local_day(person, span.start)
    if (
        avail.existing_minutes(person, day) + booked.minutes[(person, day)] + _minutes(span)
        > avail.rules.max_meeting_minutes
    ):
        return "cap"
    return None


@dataclass(frozen=True)
class _Candidate:
    span: Interval
    members: tuple[tuple[str, ...], ...]  # statically free people per pool


def _grid(
    request: SessionRequest, days: Sequence[date], starter_tz: ZoneInfo, rules: AvailabilityRules
) -> list[Interval]:
    """Every start on the slot grid inside the starter's working hours on allowed days."""
    step = timedelta(minutes=rules.slot_minutes)
    spans: list[Interval] = []
    for day in days[request.first_day : request.last_day + 1]:
        moment = datetime.combine(day, rules.work_start, tzinfo=starter_tz)
        close = datetime.combine(day, rules.work_end, tzinfo=starter_tz)
        while moment + request.duration <= close:
            utc = moment.astimezone(UTC)
            spans.append(Interval(utc, utc + request.duration, request.session_id))
            moment += step
    return spans


def _pick(avail: Availability, booked: _Bookings, candidate: _Candidate) -> tuple[str, ...] | None:
    """First free person per pool (by id), all distinct; None if some pool has nobody."""
    chosen: list[str] = []
    for members in candidate.members:
        person = next(
            (
                p
                for p in members
                if p not in chosen and _dynamic_block(avail, booked, p, candidate.span) is None
            ),
            None,
        )
        if person is None:
            return None
        chosen.append(person)
    return tuple(chosen)


@dataclass
class _Search:
    avail: Availability
    requests: list[SessionRequest]
    candidates: list[list[_Candidate]]
    budget: int
    booked: _Bookings = field(default_factory=_Bookings)
    nodes: int = 0
    current: list[tuple[Interval, tuple[str, ...]] | None] = field(default_factory=list)
    best: list[tuple[Interval, tuple[str, ...]] | None] = field(default_factory=list)
    best_count: int = -1

    def book(self, span: Interval, people: tuple[str, ...], add: bool) -> None:
        for person in people:
            day = self.avail.local_day(person, span.start)
            (self.booked.add if add else self.booked.remove)(person, span, day)

    def run(self, index: int = 0, placed: int = 0) -> None:
        n = len(self.requests)
        if placed + (n - index) <= self.best_count:
            return
        if index == n:
            self.best, self.best_count = list(self.current), placed
            return
        for candidate in self.candidates[index]:
            if self.nodes >= self.budget or self.best_count == n:
                break
            self.nodes += 1
            people = _pick(self.avail, self.booked, candidate)
            if people is None:
                continue
            self.book(candidate.span, people, add=True)
            self.current.append((candidate.span, people))
            self.run(index + 1, placed + 1)
            self.current.pop()
            self.book(candidate.span, people, add=False)
        if self.best_count < n:
            self.current.append(None)
            self.run(index + 1, placed)
            self.current.pop()

    def complete(self) -> None:
        """Greedily add any session the budget-limited search left out but that still fits.

        Guarantees the result is maximal: every remaining exception truly has no slot.
        """
        # After run() every tentative booking is undone; only fixed sessions remain.
        for entry in self.best:
            if entry is not None:
                self.book(*entry, add=True)
        for index, entry in enumerate(self.best):
            if entry is not None:
                continue
            for candidate in self.candidates[index]:
                people = _pick(self.avail, self.booked, candidate)
                if people is not None:
                    self.best[index] = (candidate.span, people)
                    self.book(candidate.span, people, add=True)
                    break


_RULE_TEXT: dict[Rule, str] = {
    "hours": "outside the starter's working hours",
    "lunch": "in the lunch break",
    "busy": "in existing meetings",
    "booked": "in other onboarding sessions",
    "cap": "over the daily meeting-hours cap",
}


def _explain(
    request: SessionRequest,
    grid: Sequence[Interval],
    avail: Availability,
    booked: _Bookings,
    names: Mapping[str, str],
) -> str:
    """Say who could not attend how often, and which rule stopped them, so HR can act."""
    minutes = int(request.duration.total_seconds() // 60)
    if not grid:
        return (
            f"no {minutes}-minute start time inside the starter's working hours on the allowed days"
        )
    blocked: dict[str, Counter[Rule]] = {}
    for pool in request.pools:
        single = pool.candidates[0]
        who = (
            names.get(single, single)
            + ("" if pool.slot.startswith("id:") else f" ({_slot_words(pool.slot)})")
            if len(pool.candidates) == 1
            else _pool_words(pool.slot)
        )
        counts: Counter[Rule] = Counter()
        for span in grid:
            rules = [
                avail.static_block(p, span) or _dynamic_block(avail, booked, p, span)
                for p in pool.candidates
            ]
            if all(rules):
                counts[min((r for r in rules if r), key=RULE_ORDER.index)] += 1
        if counts:
            blocked[who] = counts
    if not blocked:
        return "no start time where every participant slot has a different free person"

    def main_rule(counts: Counter[Rule]) -> Rule:
        return max(counts, key=lambda r: (counts[r], -RULE_ORDER.index(r)))

    ranked = sorted(blocked.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    always = [(who, counts) for who, counts in ranked if sum(counts.values()) == len(grid)]
    if always:
        return f"No {minutes}-minute slot in week one: " + "; ".join(
            f"{who} {'is free' if who.startswith(('no ', 'nobody ')) else 'is never free'}"
            f" {_WHY[main_rule(counts)]}"
            for who, counts in always
        )
    return f"No {minutes}-minute slot suits everyone at once: " + "; ".join(
        f"{who.removeprefix('no ').removeprefix('nobody in ')} is busy at"
        f" {sum(counts.values())} of the {len(grid)} possible start times: "
        + ", ".join(
            f"{n} {_RULE_TEXT[r]}"
            for r, n in sorted(counts.items(), key=lambda kv: RULE_ORDER.index(kv[0]))
        )
        for who, counts in ranked[:3]
    )


_WHY: dict[Rule, str] = {
    "hours": "within the starter's working hours this week (their time zones do not overlap)",
    "lunch": "outside the lunch break",
    "busy": "between their existing meetings this week",
    "booked": "between the other onboarding sessions",
    "cap": "under the daily meeting-hours cap",
}
"""Why a person could never attend, in words a reviewer reads (not rule codes)."""


def _slot_words(slot: str) -> str:
    """``role:Security Engineer`` -> ``security engineer``; ``id:p07`` -> ``p07``."""
    kind, _, value = slot.partition(":")
    if kind == "role" and value:
        return value.lower()
    return value or slot


def _pool_words(slot: str) -> str:
    """Who a pool is, as the subject of a sentence: ``no security engineer``."""
    kind, _, value = slot.partition(":")
    if kind == "role" and value:
        return f"no {value.lower()}"
    return f"nobody in {_slot_words(slot)}"


def schedule_week_one(
    requests: Sequence[SessionRequest],
    *,
    days: Sequence[date],
    starter_tz: ZoneInfo,
    tz_of: Mapping[str, ZoneInfo],
    busy: Mapping[str, Sequence[Interval]],
    rules: AvailabilityRules,
    budget: int = 20_000,
    names: Mapping[str, str] | None = None,
    prior_exceptions: Iterable[SessionException] = (),
    fixed: Sequence[ScheduledSession] = (),
) -> Schedule:
    """Place every request or report it; pure, deterministic, never breaks a rule.

    ``tz_of`` must cover every candidate person including :data:`STARTER_ID`; ``busy``
    maps person id to busy spans (missing = free). ``prior_exceptions`` (sessions that
    could not even be resolved) are passed through so the schedule lists all of them.
    ``fixed`` sessions (e.g. moved by the HR reviewer) are kept as they are and the
    others are placed around them; requests with the same id are dropped.
    """
    avail = Availability(tz_of, busy, rules)
    fixed_ids = {s.session_id for s in fixed}
    requests = [r for r in requests if r.session_id not in fixed_ids]
    grids = {r.session_id: _grid(r, days, starter_tz, rules) for r in requests}
    static: dict[str, list[_Candidate]] = {}
    for request in requests:
        options: list[_Candidate] = []
        for span in grids[request.session_id]:
            members = tuple(
                tuple(p for p in pool.candidates if avail.static_block(p, span) is None)
                for pool in request.pools
            )
            if all(members):
                options.append(_Candidate(span, members))
        static[request.session_id] = options
    ordered = sorted(
        requests,
        key=lambda r: (len(static[r.session_id]), -r.duration, -len(r.pools), r.session_id),
    )
    search = _Search(avail, ordered, [static[r.session_id] for r in ordered], budget)
    for session in fixed:
        search.book(session.span, session.person_ids, add=True)
    search.run()
    search.complete()

    sessions: list[ScheduledSession] = list(fixed)
    final = _Bookings()
    for session in fixed:
        for person in session.person_ids:
            final.add(person, session.span, avail.local_day(person, session.start))
    for request, placed in zip(ordered, search.best, strict=True):
        if placed is None:
            continue
        span, people = placed
        for person in people:
            final.add(person, span, avail.local_day(person, span.start))
        sessions.append(
            ScheduledSession(
                session_id=request.session_id,
                title=request.title,
                start=span.start,
                end=span.end,
                attendees=tuple(
                    Attendee(person_id=p, slot=pool.slot)
                    for p, pool in zip(people, request.pools, strict=True)
                ),
                description=request.description,
            )
        )
    exceptions = list(prior_exceptions)
    for request, placed in zip(ordered, search.best, strict=True):
        if placed is None:
            exceptions.append(
                SessionException(
                    session_id=request.session_id,
                    title=request.title,
                    duration_minutes=int(request.duration.total_seconds() // 60),
                    reason=_explain(request, grids[request.session_id], avail, final, names or {}),
                    attendees=tuple(
                        Attendee(person_id=pool.candidates[0], slot=pool.slot)
                        for pool in request.pools
                    ),
                    description=request.description,
                )
            )
    return Schedule(
        days=tuple(days),
        sessions=tuple(sorted(sessions, key=lambda s: (s.start, s.session_id))),
        exceptions=tuple(sorted(exceptions, key=lambda e: e.session_id)),
    )


def _resolve_ref(
    ref: str, starter_id: str, manager_id: str, buddy_id: str | None, directory: Sequence[Person]
) -> tuple[str, ...]:
    if ref == "starter":
        return (starter_id,)
    if ref == "manager":
        return (manager_id,)
    if ref == "buddy":
        return (buddy_id,) if buddy_id else ()
    kind, _, value = ref.partition(":")
    if kind == "id":
        return (value,) if any(p.id == value for p in directory) else ()
    return tuple(sorted(p.id for p in directory if p.role == value))


def resolve_sessions(
    config: OnboardingConfig,
    starter: Starter,
    directory: Sequence[Person],
    *,
    manager_id: str,
    buddy_id: str | None,
) -> tuple[list[SessionRequest], list[SessionException]]:
    """Turn the config's sessions for this starter into solver requests.

    Sessions whose participants cannot be resolved (no buddy was matched, nobody holds a
    ``role:``) become exceptions straight away instead of being booked short-handed.
    """
    requests: list[SessionRequest] = []
    exceptions: list[SessionException] = []
    last = config.scheduling.week_one_days - 1
    for template in config.sessions:
        if not template.applies_to.matches(starter):
            continue
        pools: list[Pool] = []
        for ref in template.participants:
            pool = Pool(ref, _resolve_ref(ref, STARTER_ID, manager_id, buddy_id, directory))
            # A person named twice (say 'manager' and 'id:<manager>') attends once.
            if len(pool.candidates) == 1 and any(p.candidates == pool.candidates for p in pools):
                continue
            pools.append(pool)
        missing = tuple(p.slot for p in pools if not p.candidates)
        if missing:
            exceptions.append(
                SessionException(
                    session_id=template.id,
                    title=template.title,
                    duration_minutes=template.duration_minutes,
                    reason=f"nobody to fill {', '.join(repr(m) for m in missing)}",
                    attendees=tuple(
                        Attendee(person_id=p.candidates[0], slot=p.slot)
                        for p in pools
                        if len(p.candidates) == 1
                    ),
                    unresolved=missing,
                    description=template.description,
                )
            )
            continue
        requests.append(
            SessionRequest(
                session_id=template.id,
                title=template.title,
                duration=template.duration,
                pools=tuple(pools),
                first_day=template.earliest_day - 1,
                last_day=last if template.latest_day is None else template.latest_day - 1,
                description=template.description,
            )
        )
    return requests, exceptions


def schedule_problems(
    sessions: Sequence[ScheduledSession],
    *,
    days: Sequence[date],
    starter_tz: ZoneInfo,
    tz_of: Mapping[str, ZoneInfo],
    busy: Mapping[str, Sequence[Interval]],
    rules: AvailabilityRules,
) -> list[Problem]:
    """Every scheduling rule a (possibly hand-edited) set of sessions breaks.

    Independent of the solver's bookkeeping on purpose: the critic must catch a double
    booking whatever produced the sessions.
    """
    avail = Availability(tz_of, busy, rules)
    problems: list[Problem] = []

    def report(code: str, message: str, ref: str) -> None:
        problems.append(Problem(agent="scheduling", code=code, message=message, ref=ref))

    per_person: dict[str, list[ScheduledSession]] = {}
    for session in sessions:
        if session.end <= session.start:
            report(
                "empty-session", f"{session.session_id} ends before it starts", session.session_id
            )
            continue
        if session.start.astimezone(starter_tz).date() not in days:
            report(
                "outside-week-one",
                f"{session.session_id} is not on a week-one working day",
                session.session_id,
            )
        people = session.person_ids
        if len(set(people)) != len(people):
            report(
                "duplicate-attendee",
                f"{session.session_id} lists the same person twice",
                session.session_id,
            )
        for person in dict.fromkeys(people):
            if person not in tz_of:
                report(
                    "unknown-attendee",
                    f"{session.session_id}: {person!r} is not in the directory",
                    session.session_id,
                )
                continue
            per_person.setdefault(person, []).append(session)
            rule = avail.static_block(person, session.span)
            if rule in ("hours", "lunch", "busy"):
                code = {
                    "hours": "outside-working-hours",
                    "lunch": "over-lunch",
                    "busy": "double-booking",
                }[rule]
                what = {
                    "hours": "is outside working hours of",
                    "lunch": "overlaps the lunch of",
                    "busy": "overlaps a busy event of",
                }
                report(code, f"{session.session_id} {what[rule]} {person}", session.session_id)
    for person, booked in sorted(per_person.items()):
        booked = sorted(booked, key=lambda s: s.start)
        for i, first in enumerate(booked):
            for second in booked[i + 1 :]:
                if second.start >= first.end:
                    break
                report(
                    "double-booking",
                    f"{first.session_id} and {second.session_id} overlap for {person}",
                    f"{first.session_id},{second.session_id}",
                )
        per_day: Counter[date] = Counter()
        for session in booked:
            per_day[avail.local_day(person, session.start)] += _minutes(session.span)
        for day, minutes in sorted(per_day.items()):
            total = minutes + avail.existing_minutes(person, day)
            if total > rules.max_meeting_minutes:
                report(
                    "meeting-cap",
                    f"{person} has {total} minutes of meetings on {day} "
                    f"(cap {rules.max_meeting_minutes})",
                    person,
                )
    return problems


def render_first_week_ics(
    schedule: Schedule, emails: Mapping[str, str], *, publication: Publication | None = None
) -> bytes:
    """``first_week.ics``: one event per booked session, attendees by e-mail.

    Without a publication's ``dtstamp`` the stamp is the first day of week one, so the
    file is byte-for-byte reproducible for the same plan.
    """
    pub = publication or Publication()
    stamp = pub.dtstamp or datetime.combine(schedule.days[0], time(0), tzinfo=UTC)
    events = [
        CalendarEvent(
            uid=pub.uid(s.session_id),
            summary=s.title,
            start=s.start,
            end=s.end,
            description=s.description,
            attendees=tuple(emails[p] for p in s.person_ids if p in emails),
            categories=("onboarding",),
        )
        for s in schedule.sessions
    ]
    return render_ics(
        events, name="First week", dtstamp=stamp, organizer=pub.organizer, sequence=pub.sequence
    )
