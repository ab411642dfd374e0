"""The ``Solver`` port and the shared driver every improving solver runs in.

The driver does what measurements on this problem shape showed matters most (see
``benchmarks/RESULTS.md``): the ellipse prefilter (per-car reach lists), a strong greedy
construction, per-component decomposition (cars whose ellipses do not overlap never compete, so
each group is solved on its own with its share of the time), on short routes (the districts'
1-4 stops a car) each group's routes among its cars' best few candidates packed exactly
(``columns``), a warm start of the backend from that plan, and never returning less than the
construction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.optimise.columns import PACK_MIN_S, import_packing, pack_groups, packing_available
from smartspot.optimise.greedy import construct
from smartspot.optimise.instance import Instance, Routes, components
from smartspot.optimise.pace import Pace, collector_paused
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.proofs import prove_groups

# Returning the answer (building Plan objects) takes a few ms of CPU; backends stop this much
# early, times the slowdown (below).
RETURN_MARGIN_S = 0.003
# The first greedy pass (the floor) may run this far past the limit, less the return margin
# times the slowdown, and no further: the answer must come by the limit + 50 ms.
FLOOR_GRACE_S = 0.035


class Solver(Protocol):
    """Anything that turns a problem into plans within a hard deadline."""

    name: str

    def solve(self, problem: Problem, *, time_limit_s: float, seed: int = 0) -> Solution:
        """Plans for ``problem`` within ``time_limit_s`` seconds of wall time (+50 ms at most).

        Raises
        ------
        InvalidInputError
            When ``time_limit_s`` is not positive.
        """
        ...


@dataclass(frozen=True)
class Part:
    """One group of cars and the hotspots only they can reach, with a warm start.

    ``slowdown`` is the wall time one second of CPU took in this solve's set-up (1 on an idle
    core, see ``pace.Pace``): improvers multiply their estimates of uninterruptible set-up steps
    by it."""

    cars: list[int]
    hotspots: NDArray[np.int64]
    reach: list[NDArray[np.int64]]  # per car of the part, global hotspot indices
    warm: Routes  # per car of the part
    slowdown: float = 1.0


# improve(instance, part, seconds available, seed) -> routes per car of the part, or None
Improver = Callable[[Instance, Part, float, int], Routes | None]


# A plan with this many stops a car or more has long routes (the TOPTW instances; the districts'
# plans have 1–4), where other search settings measured better (benchmarks/RESULTS.md).
LONG_ROUTE_STOPS = 6


def has_long_routes(routes: Routes) -> bool:
    """Whether the non-empty routes have ``LONG_ROUTE_STOPS`` stops or more on average."""
    used = [len(r) for r in routes if r]
    return bool(used) and sum(used) / len(used) >= LONG_ROUTE_STOPS


# On short routes (the districts) a car that reaches a thousand hotspots still plans at most a
# handful: each car keeps this many candidates for the improvers, the most value per minute of
# detour first, besides the hotspots the construction planned for it. Parts of short routes
# are then split into groups reaching at most SHORT_PART_LIMIT hotspots.
SHORTLIST = 100
SHORT_PART_LIMIT = 300
# Below this much time left after the construction no part is improved.
MIN_IMPROVE_S = 0.005
# On short routes every group of cars first gets its routes among each car's best candidates
# packed (``columns.pack_groups``), in at most PACK_SHARE of the time left; the pieces'
# searches start from that plan. A round per (candidates a car, columns a model at most): a
# group with more columns is packed a chunk of neighbouring cars at a time, the others' routes
# fixed. CP-SAT holds only the current plan until it proves the optimum (2,661 columns, 26
# cars: 0.07-0.1 s; 4,570: 0.22 s); at load 6 one packing of a whole 26-car group ran out of
# its share and found nothing, so the first round's models are smaller (proved sooner) and
# the second joins the chunks (40 x 3000 at 1 s, same runs: 99.91 / 99.93 % mean at load 5,
# 99.64 / 99.74 % beside a busy process, one round / two; benchmarks/RESULTS.md).
PACK_ROUNDS: tuple[tuple[int, int], ...] = ((15, 1500), (15, 3000))
# 0.7 of the time left, not 0.5: on a machine where the packing of 40 x 3000 seed 2 needs
# ~0.6 s (its four CP-SAT models proved in 0.065-0.135 s each, given the time), half of a 1 s
# solve cut its last models short and the search did not make up for it (97.2-98.9 % of the
# best known in a 1 s solve, 100 % when the packing finished). 40 x 3000 at 1 s, 3 seeds x 4,
# alternately (benchmarks/RESULTS.md, issue 15 twelfth session): 99.73 / 98.70 % (mean /
# worst) with 0.5, 99.92 / 99.78 % with 0.7; beside two busy processes (x 3) 98.51 / 95.26 %
# and 99.03 / 96.97 %. 20 x 1000 and 10 x 300 at 0.1 s and 1 s: equal or better.
PACK_SHARE = 0.7
# The packing is begun only if its share holds this many CPU seconds a car (times the
# slowdown): 40 cars took 0.18-0.23 s of CPU (both rounds); under two busy processes
# (slowdown 4-7) it could not finish in a 1 s solve and only took the pieces' time.
PACK_CPU_PER_CAR_S = 0.005
# Where the share holds less, but this much (the same way), a lighter packing runs: 10
# candidates a car, 1,000 columns a model (40 cars: 0.05-0.07 s of CPU; alone 98.6-99.6 %
# of the best known at 40 x 3000 against 99.6-99.8 % for the full one).
PACK_LIGHT_ROUNDS: tuple[tuple[int, int], ...] = ((10, 1000),)
PACK_LIGHT_CPU_PER_CAR_S = 0.0015


def shortlist(
    inst: Instance, car: int, reach: NDArray[np.int64], route: list[int], keep: int
) -> NDArray[np.int64]:
    """The ``keep`` hotspots of ``reach`` with the most value per second of detour (visited
    alone), and those of ``route``."""
    if len(reach) <= keep:
        return reach
    start, end = inst.start[car], inst.end[car]
    nodes = inst.node[reach]
    detour = inst.travel[start, nodes] + inst.service[reach] + inst.travel[nodes, end]
    detour = detour - inst.travel[start, end]
    score = inst.value[reach] / np.maximum(detour, 1)
    best = reach[np.argpartition(-score, keep)[:keep]]
    return np.union1d(best, np.asarray(route, dtype=np.int64))


def check_time_limit(time_limit_s: float) -> None:
    if not time_limit_s > 0:
        raise InvalidInputError(
            msg(
                "time limit is {time_limit_s} s; it must be more than 0", time_limit_s=time_limit_s
            ),
            field="time_limit",
        )


def split(
    inst: Instance,
    part: Part,
    routes: Routes,
    limit: int,
    rng: np.random.Generator,
    stop_at: float = float("inf"),
) -> list[list[int]]:
    """Groups of neighbouring cars of a big part, each reaching about ``limit`` hotspots (as
    many groups as can be formed before ``stop_at``, a ``perf_counter`` moment)."""
    order = [part.cars[i] for i in rng.permutation(len(part.cars))]
    reach = dict(zip(part.cars, part.reach, strict=True))
    left = set(order)
    groups = []
    for seed in order:
        if seed not in left:
            continue
        if time.perf_counter() >= stop_at:
            break  # no time left to improve the groups not formed yet
        near = sorted(left - {seed}, key=lambda k: inst.travel[inst.start[seed], inst.start[k]])
        group, seen = [seed], set(reach[seed].tolist())
        left.discard(seed)
        for k in near:
            more = seen | set(reach[k].tolist())
            if len(more) > limit:
                break
            group.append(k)
            seen = more
            left.discard(k)
        groups.append(group)
    return groups


def subpart(inst: Instance, part: Part, cars: list[int], routes: Routes) -> Part:
    """The hotspots ``cars`` reach that no other car of the part has planned, with the cars'
    current routes as the warm start: whatever the subpart finds stays feasible overall."""
    taken = np.zeros(inst.n_hotspots, dtype=bool)
    for k in part.cars:
        if k not in cars:
            taken[routes[k]] = True
    reach = dict(zip(part.cars, part.reach, strict=True))
    mine = [reach[k][~taken[reach[k]]] for k in cars]
    hotspots = np.unique(np.concatenate(mine)).astype(np.int64)
    return Part(cars, hotspots, mine, [routes[k] for k in cars], part.slowdown)


def _pack_short_routes(
    inst: Instance,
    groups: list[list[int]],
    full: list[NDArray[np.int64]],
    reach: list[NDArray[np.int64]],
    routes: Routes,
    deadline: float,
    slowdown: float,
) -> tuple[int, float, list[bool]]:
    """Within ``PACK_SHARE`` of the time left, in place: the groups small enough proven
    optimal (``proofs.prove_groups`` on the whole reach lists ``full``), then the others'
    routes packed (``columns.pack_groups`` on the shortlists ``reach``) if CP-SAT is
    imported (or the share holds its import, ``columns.import_packing``) and the share holds
    the CPU it needs (``PACK_ROUNDS``, else
    ``PACK_LIGHT_ROUNDS``): the number of packings that improved a group, the seconds it
    all took, and per group whether it is proven."""
    began = now = time.perf_counter()
    share = PACK_SHARE * (deadline - now)
    if share <= PACK_MIN_S * slowdown:
        return 0, 0.0, [False] * len(groups)
    if any(len(cars) > 1 for cars in groups) and not packing_available():
        import_packing(share, slowdown)
        now, share = time.perf_counter(), now + share - time.perf_counter()
    proven = prove_groups(inst, groups, full, routes, now + share, slowdown)
    left = [cars for cars, done in zip(groups, proven, strict=True) if not done]
    several = sum(len(cars) for cars in left if len(cars) > 1)
    share = now + share - time.perf_counter()
    if share >= PACK_CPU_PER_CAR_S * several * slowdown:
        rounds = PACK_ROUNDS
    elif share >= PACK_LIGHT_CPU_PER_CAR_S * several * slowdown:
        rounds = PACK_LIGHT_ROUNDS
    else:
        rounds = ()
    improved = 0
    if several and share > 0 and rounds and packing_available():

        def candidates(k: int, keep: int) -> NDArray[np.int64]:
            return shortlist(inst, k, reach[k], routes[k], keep)

        stop_at = time.perf_counter() + share
        improved = pack_groups(inst, left, candidates, routes, rounds, stop_at, slowdown)
    return improved, time.perf_counter() - began, proven


def decomposed_solve(
    problem: Problem,
    *,
    name: str,
    improve: Improver,
    time_limit_s: float,
    seed: int,
    small: Improver | None = None,
    small_size: int = 0,
    part_limit: int = 450,
) -> Solution:
    """Construct greedily, then let ``improve`` (or ``small`` for parts whose cars together reach
    at most ``small_size`` hotspots) better each part within the shared deadline. Parts whose
    cars reach more than ``part_limit`` hotspots are improved a group of neighbouring cars at a
    time (the others' routes fixed), in rounds while time is left. Python's cyclic collector
    is paused meanwhile (``pace.collector_paused``)."""
    check_time_limit(time_limit_s)
    with collector_paused():
        return _decomposed_solve(
            problem, name, improve, time_limit_s, seed, small, small_size, part_limit
        )


def _decomposed_solve(
    problem: Problem,
    name: str,
    improve: Improver,
    time_limit_s: float,
    seed: int,
    small: Improver | None,
    small_size: int,
    part_limit: int,
) -> Solution:
    pace = Pace()
    began = pace.wall
    limit = began + time_limit_s
    inst = Instance.of(problem)
    reach = inst.reach_lists()
    groups = components(inst, reach)
    margin = RETURN_MARGIN_S * pace.slowdown()
    routes = construct(
        inst,
        reach,
        deadline=limit - margin,
        groups=groups,
        hard_deadline=limit + FLOOR_GRACE_S - RETURN_MARGIN_S,
    )
    start_value = inst.route_value(routes)
    # measured over the set-up and the construction, before any backend's own threads run
    slowdown = pace.slowdown()
    deadline = limit - RETURN_MARGIN_S * slowdown
    rng = np.random.default_rng(seed)
    packed, pack_s, proven = 0, 0.0, [False] * len(groups)
    if not has_long_routes(routes) and SHORTLIST and deadline - time.perf_counter() > MIN_IMPROVE_S:
        # components stay those of the whole reach lists: parts never share a hotspot
        full = reach
        reach = [shortlist(inst, k, reach[k], routes[k], SHORTLIST) for k in range(inst.n_cars)]
        part_limit = min(part_limit, SHORT_PART_LIMIT)
        packed, pack_s, proven = _pack_short_routes(
            inst, groups, full, reach, routes, deadline, slowdown
        )
    packed_value = inst.route_value(routes)
    parts = []
    # no time left after the floor (a loaded machine): the shortlists and parts would only
    # delay the answer
    searched = [cars for cars, done in zip(groups, proven, strict=True) if not done]
    for cars in searched if deadline - time.perf_counter() > MIN_IMPROVE_S else []:
        hotspots = np.unique(np.concatenate([reach[k] for k in cars]))
        if len(hotspots) == 0:
            continue
        parts.append(Part(cars, hotspots.astype(np.int64), [reach[k] for k in cars], [], slowdown))
    improved = 0
    rounds = 0
    worst = -1.0  # the most any improver overran its share, for the benchmark
    while parts and rounds < 8:
        rounds += 1
        pieces: list[list[int]] = []
        for part in parts:
            if len(part.hotspots) <= part_limit:
                pieces.append(part.cars)
            else:
                pieces.extend(split(inst, part, routes, part_limit, rng, deadline))
        owner = {k: p for p in parts for k in p.cars}
        sizes = [len(np.unique(np.concatenate([reach[k] for k in cars]))) for cars in pieces]
        work = sum(sizes)
        for cars, size in zip(pieces, sizes, strict=True):
            left = deadline - time.perf_counter()
            if left <= 0.002:
                break
            piece = subpart(inst, owner[cars[0]], cars, routes)
            share = left * min(1.0, size / max(work, 1))
            work -= size
            if len(piece.hotspots) == 0:
                continue
            use_small = small is not None and len(piece.hotspots) <= small_size
            called = time.perf_counter()
            better = (small if use_small and small else improve)(inst, piece, share, seed)
            worst = max(worst, time.perf_counter() - called - share)
            if better is None:
                continue
            if inst.route_value(better) > inst.route_value(piece.warm) + 1e-9:
                for k, route in zip(piece.cars, better, strict=True):
                    routes[k] = route
                improved += 1
        if all(len(p.hotspots) <= part_limit for p in parts):
            break  # every part was solved whole: another round would repeat it
        parts = [p for p in parts if len(p.hotspots) > part_limit]
        if deadline - time.perf_counter() < 0.05:
            break
    finished = time.perf_counter()
    return inst.solution(
        routes,
        name,
        overrun_in_loop_s=finished - deadline,
        worst_call_overrun_s=worst,
        wall_s=time.perf_counter() - began,
        parts=len(parts),
        improved_parts=improved,
        rounds=rounds,
        construction_value=start_value,
        slowdown=slowdown,
        packed_groups=packed,
        proven_groups=sum(proven),
        pack_s=pack_s,
        packed_value=packed_value,
    )
