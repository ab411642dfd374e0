"""Detour proposals as rows (both backends): the JSON of their plan, problem and answer (the
parts a planning round's proposals share encoded once), the audit log's summary, and a row
with its stops back to a :class:`~smartspot.plans.Proposal`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.plans import PlannedStop, Proposal, ProposalStatus, SolverRun
from smartspot.reasons import Reason
from smartspot.store.sql import Row
from smartspot.store.timestamps import from_iso, iso, maybe_iso, maybe_time


def plain_json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            msg("a proposal must be plain JSON: {error}", error=error)
        ) from None


_LEFT_OUT = "\u0000left-out\u0000"  # where the shared left-out map goes in the plan's JSON


class SharedJson:
    """JSON text of the parts a planning round's proposals share (one problem, one answer, one
    left-out map for all of its cars): each is encoded once per round, not once per car (a
    national district's round has ~800 left-out reasons and 5 cars)."""

    def __init__(self) -> None:
        self._recent: dict[int, tuple[object, str]] = {}

    def text(self, value: object, encode: Any) -> str:
        kept = self._recent.get(id(value))
        if kept is not None and kept[0] is value:
            return kept[1]
        if len(self._recent) >= 8:
            self._recent.clear()
        encoded = encode(value)
        self._recent[id(value)] = (value, encoded)  # holding the value keeps its id unique
        return encoded


def left_out_json(left_out: Mapping[str, Reason]) -> str:
    made: dict[int, tuple[Reason, dict[str, Any]]] = {}  # a shared reason is encoded once
    plain = {}
    for key, reason in left_out.items():
        known = made.get(id(reason))
        if known is None:
            known = made[id(reason)] = (reason, reason.to_dict())
        plain[key] = known[1]
    return plain_json(plain)


def plan_json(proposal: Proposal, shared: SharedJson) -> str:
    """The typed fields that have no column of their own."""
    run = proposal.run
    plan = {
        "home_at": maybe_iso(proposal.home_at),
        "detour_s": proposal.detour_s,
        "value": proposal.value,
        "blocked": None if proposal.blocked is None else proposal.blocked.to_dict(),
        "left_out": _LEFT_OUT,
        "run": {
            "solver": run.solver,
            "time_limit_s": run.time_limit_s,
            "seed": run.seed,
            "solve_ms": run.solve_ms,
            "failure": run.failure,
        },
    }
    left_out = shared.text(proposal.left_out, left_out_json)
    return plain_json(plan).replace(json.dumps(_LEFT_OUT), left_out, 1)


#: A proposal's columns besides those :func:`written_rows` is given, as a new row has them
#: (the table's defaults: no decision yet).
UNDECIDED = {"decided_by": None, "decided_at": None, "reason": "", "decision": "{}"}

#: The columns of a stop row, in the order of the INSERT's parameters.
STOP_COLUMNS = (
    "proposal_id",
    "position",
    "hotspot_id",
    "title",
    "lon",
    "lat",
    "eta",
    "start",
    "leave",
    "minutes_on_site",
    "value",
    "reasons",
    "removed",
    "done",
)


def stop_values(proposal_id: str, position: int, stop: PlannedStop) -> tuple[Any, ...]:
    """A stop's row as the INSERT's parameters (:data:`STOP_COLUMNS`), each valued as the
    database hands it back (REAL columns as floats, flags as 0/1)."""
    return (
        proposal_id,
        position,
        stop.hotspot,
        stop.title,
        float(stop.lon),
        float(stop.lat),
        iso(stop.eta),
        iso(stop.start),
        iso(stop.leave),
        stop.minutes_on_site,
        float(stop.value),
        plain_json([r.to_dict() for r in stop.reasons]),
        int(stop.removed),
        int(stop.done),
    )


def written_rows(
    proposal: Mapping[str, Any], stops: Sequence[tuple[Any, ...]]
) -> dict[str, list[dict[str, Any]]] | None:
    """A new proposal's rows as the database now holds them, for its audit row's state hash
    (instead of reading its ~100 kB problem file back): ``proposal`` the inserted columns,
    ``stops`` the stops' :func:`stop_values`. None when a value would not come back as it
    was given (minutes on site that are not a whole number: the caller reads the rows)."""
    minutes = STOP_COLUMNS.index("minutes_on_site")
    rows = []
    for values in stops:
        if type(values[minutes]) is not int:
            return None
        rows.append(dict(zip(STOP_COLUMNS, values, strict=True)))
    return {"proposals": [{**UNDECIDED, **proposal}], "proposal_stops": rows}


def summary(proposal: Proposal) -> dict[str, Any]:
    """The audit view: the decision and the stops, not the (large) problem file."""
    return {
        "patrol": proposal.patrol,
        "politikreds": proposal.politikreds,
        "status": proposal.status.value,
        "stops": [s.hotspot for s in proposal.kept],
        "removed": list(proposal.removed),
        "decided_by": proposal.decided_by,
        "reason": proposal.reason,
    }


def stop_of(row: Row) -> PlannedStop:
    return PlannedStop(
        hotspot=row["hotspot_id"],
        title=row["title"],
        lon=row["lon"],
        lat=row["lat"],
        eta=from_iso(row["eta"]),
        start=from_iso(row["start"]),
        leave=from_iso(row["leave"]),
        minutes_on_site=row["minutes_on_site"],
        value=row["value"],
        reasons=tuple(Reason.from_dict(r) for r in json.loads(row["reasons"])),
        removed=bool(row["removed"]),
        done=bool(row["done"]),
    )


def legacy_plan(solution: dict[str, Any]) -> dict[str, Any]:
    """The plan of a proposal stored before migration 3, from its JSON."""
    advice = solution.get("advice", {})
    why = advice.get("blocked")
    return {
        "home_at": advice.get("home_at"),
        "detour_s": float(advice.get("detour_min", 0.0)) * 60,
        "value": float(advice.get("value", 0.0)),
        "blocked": None if not why else {"code": "legacy", "params": {"text": why}},
        "left_out": {
            k: {"code": "legacy", "params": {"text": v}}
            for k, v in solution.get("left_out", {}).items()
        },
        "run": {
            "solver": solution.get("solver", ""),
            "time_limit_s": float(solution.get("time_limit_s", 0.0)),
            "seed": int(solution.get("seed", 0)),
            "solve_ms": float(solution.get("solve_ms", 0.0)),
            "failure": "",
        },
    }


def proposal_of(row: Row, stops: tuple[PlannedStop, ...]) -> Proposal:
    solution = json.loads(row["solution"])
    plan = json.loads(row["plan"]) or legacy_plan(solution)
    run = plan["run"]
    blocked = plan.get("blocked")
    return Proposal(
        id=row["id"],
        patrol=row["patrol"],
        politikreds=row["politikreds"],
        created_at=from_iso(row["created_at"]),
        stops=stops,
        run=SolverRun(
            run["solver"], run["time_limit_s"], run["seed"], run["solve_ms"], run["failure"]
        ),
        home_at=maybe_time(plan.get("home_at")),
        detour_s=float(plan.get("detour_s", 0.0)),
        value=float(plan.get("value", 0.0)),
        blocked=None if blocked is None else Reason.from_dict(blocked),
        left_out={k: Reason.from_dict(v) for k, v in plan.get("left_out", {}).items()},
        problem=json.loads(row["problem"]) or None,
        answer=solution.get("answer", solution.get("solution")),
        status=ProposalStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=maybe_time(row["decided_at"]),
        reason=row["reason"],
    )
