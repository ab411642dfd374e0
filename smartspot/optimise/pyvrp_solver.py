"""PyVRP (iterated local search) as a backend, warm-started from greedy, per part.

Hotspots are optional clients with prizes; PyVRP minimises driving plus uncollected prizes, and
the prizes are weighted so that value always comes first. A hotspot with several windows becomes
one client per window in a mutually exclusive, optional client group. Each car is its own
vehicle type: its own start and end depot, leaving at ``available_s`` (``start_late`` pins it)
and back by its deadline. The search stops before an iteration as long as the longest so far
would end past the deadline (``Before``); the set-up (building ``ProblemData``, neighbourhoods)
cannot be interrupted, so it is estimated, times the measured slowdown, and parts that would
not fit the time left are not attempted. With several cars every route the search meets goes
into a pool, and set partitioning over it joins routes of different plans (``pyvrp_pool``,
``pool``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pyvrp
from pyvrp import PenaltyManager, PenaltyParams, RandomNumberGenerator
from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.pace import Pace
from smartspot.optimise.portfolio import Child, can_fork, fork
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.pyvrp_callbacks import MostPrize
from smartspot.optimise.pyvrp_model import (
    Model,
    build_model,
    client_count,
    solution_routes,
    warm_solution,
)
from smartspot.optimise.pyvrp_pairs import improve_pairs
from smartspot.optimise.pyvrp_pool import Handed, Pooling, car_classes, handed, joined_in, packed
from smartspot.optimise.pyvrp_stop import Before, Settled, settled_after
from smartspot.optimise.pyvrp_strings import StringSearch
from smartspot.optimise.solver import LONG_ROUTE_STOPS, Part, decomposed_solve

# Set-up CPU time (ProblemData, the warm start, neighbourhoods, operators) in thread time,
# best of 5 on the district instances: 0.23 ms at 13 clients, 1.1 ms at 51, 3.6 ms at 133,
# 36 ms at 652 (8.7 and 11.7 ms at 284 and 288 TOPTW clients). It is multiplied by the
# measured slowdown. The fixed part was 2 ms: times a slowdown of 20 that exceeded 40 % of a
# small part's share, and PyVRP was skipped where it used to find the optimum (3 × 50).
SETUP_S_FIXED = 0.0003
SETUP_S_PER_CLIENT = 2e-5
SETUP_S_PER_CLIENT2 = 6e-8
NEIGHBOURS = 50  # PyVRP's default granular neighbourhood
# Long routes (a warm start with LONG_ROUTE_STOPS stops a car or more: the TOPTW instances, not
# the districts' 1–4) search better with a shorter late-acceptance history than PyVRP's 300, and
# with a first time-warp penalty of this share of one value unit's prize per second instead of
# the midpoint of the penalty range (+2 points of best-known at 2 s on the hardest Cordeau
# instances); on the districts the low penalty lost 1–2 % at 40 × 3000, so they keep PyVRP's.
HISTORY = 50
PYVRP_HISTORY = 300
# One car on a long route among many more clients than it visits (the warm start visits at
# most 1 in SELECTIVE of them): its second search, on the other core, keeps a longer history.
# The search then mostly chooses which clients to visit, and with 50 it settled on a few
# (pr10, 288 clients, 24 in the warm start; 8 seeds at 2 s, one search: 552-594 with 50, the
# runs stuck at their 0.5 s value; 575-594 with 300). With both searches (2 seeds, the second
# core emulated; benchmarks/RESULTS.md, issue 15 sixth session) 150 raised pr10 567/594 ->
# 594/594, pr09, r110, r102, and lost on problems whose route holds a third of the clients or
# more (rc204, rc208, r204: 0.5-1 point); in the first search (no second core) it lost too.
ONE_CAR_HISTORY = 150
SELECTIVE = 4.0
PENALTY_PER_PRIZE = 0.01
# Candidates between penalty updates on long routes. It used to be 250 a second of the limit
# (500 at 2 s); under load a 2 s run made only 600-750 candidates on pr10 with 4 cars, so the
# penalty was updated once, the search stayed among infeasible plans and returned the warm
# start (85.9 % of best-known; benchmarks/RESULTS.md). Counted in candidates, it adapts to the
# CPU the search really gets.
UPDATES_EVERY = 100
# On long routes the search is cut into POOL_ROUNDS rounds of equal time. The first
# POOL_FRESH of them all start from the warm start (independent searches: their routes go into
# one pool); with several cars the last of those and every later round end with a packing of
# the pool (``pool.best_packing``, in POOL_SHARE of the round); the later rounds start from the
# best plan so far. 2 s, same runs (benchmarks/RESULTS.md): 40 TOPTW problems with 2-4 cars
# (load 7) 97.27 % of best-known in one search, 97.58 % in 3 rounds, 2 of them fresh, 97.42 %
# in 4 rounds, 3 fresh; 12 problems with one car (load 7, 2 seeds) 98.70 % -> 98.98 % in 3.
POOL_ROUNDS = 3
POOL_FRESH = 2
POOL_SHARE = 0.1
POOL_MIN_S = 0.3  # the least search time (s) cut into rounds
# Short routes of several cars (the districts) are searched in one round, but pooled too: the
# packing (CP-SAT beyond 4 cars, ``pool.best_packing``) gets this many CPU seconds at least.
# District 40 x 3000 at 1 s, seed 2 (same runs, load 5.6-7): 98.88 / 98.88 % -> 99.47 / 99.46 %
# and 97.76 / 98.19 % -> 99.17 / 98.59 % (the piece of 13 cars: PyVRP's best 651.5-654.6, the
# packing of its pool 658.0-672.4; benchmarks/RESULTS.md).
SHORT_POOL = True
SHORT_PACK_S = 0.02
# The packing's set-up in CPU seconds (600 routes of 4 cars: 14-27 ms); it is not begun with
# less time left than this times the slowdown.
PACK_S = 0.03
# The local search's operators on long routes (names of ``pyvrp.search`` operators; None: all
# that support the data).
LONG_OPERATORS: tuple[str, ...] | None = None
# Long routes with this much search time (s) or more get a second search with another seed on
# the other core (``portfolio``): PyVRP's result on the Cordeau problems moves 3-5 points with
# the seed, and its routes widen the pool the packing chooses from. The second search ends
# HAND_S (CPU seconds, times the slowdown) before the parent's last packing, to hand over.
PORTFOLIO = True
# Long routes of several cars: every ``pyvrp_strings.STRING_EVERY``-th search begins with a
# string removal (SISR) instead of PyVRP's perturbation (``pyvrp_strings``). 2 s, the second
# search emulated, same runs (benchmarks/RESULTS.md, issue 15 tenth session): pr10/pr06 m=4,
# pr06 m=3, pr04 m=4 x seeds 0-7 +0.87 +- 0.22 points of best-known (worst 95.6 -> 96.7 %),
# seeds 8-15 +0.42 +- 0.19 (95.0 -> 95.9 %); 18 problems x 2 seeds +0.56 +- 0.17. Not on one
# car: +0.5 with one search at load 2-4, but -1.34 +- 0.41 with two on a quiet machine
# (eleventh session).
STRINGS = True
# Several cars with a second search: it searches the first of the PAIRED_ROUNDS rounds only,
# hands over before the parent's first packing, and a new second search (another seed) then
# starts from the best plan of both and the packing, as the parent's next round does: a search
# that went wrong in its first second is dropped rather than searched on. 2 s, real fork,
# quiet machine (benchmarks/RESULTS.md, issue 15 twelfth session): pr10/pr06/pr05 m=4, pr06/
# pr05/pr10 m=3, pr04 m=4, pr06 m=2 x seeds 0-11 +0.36 +- 0.09 points of best-known (65 won,
# 26 lost); with two relays (three rounds) -0.33 +- 0.21. On parts of fewer than
# RELAY_MIN_CLIENTS clients, which the two searches bring near the best-known anyway, the
# relay lost a little (26 problems of 48-144 clients, 39 pairs: -0.08 +- 0.06; 150-288: +0.33
# +- 0.09 over 103 pairs), so they keep one second search to the end.
RELAY = True
RELAY_MIN_CLIENTS = 150
# The relayed second search descends from the best plan with a late-acceptance history of
# RELAY_HISTORY, the parent's round from it with HISTORY: two different continuations of one
# plan. Same runs as above, the 8 problems x seeds 16-26: 20 +0.30 +- 0.12 points of best-known
# over 88 pairs (47 won, 32 lost; +0.38, +0.26, +0.29 in three runs), 10 +0.27 +- 0.11 (64
# pairs), 150 -0.03 +- 0.23; strings every 2nd search in it instead -0.18 +- 0.14.
RELAY_HISTORY = 20
PORTFOLIO_MIN_S = 0.5
# Nor where the solve's set-up ran this much slower than its CPU time (``Part.slowdown``):
# the cores are busy, the child would only take its parent's CPU (the 22 hardest at load 13.8:
# 96.44 % one search, 96.48 % two) and the parent's margins, measured before the fork, would
# be too short (a loaded grid run at load 7-10 answered up to +487 ms late with it).
PORTFOLIO_MAX_SLOWDOWN = 1.6
HAND_S = 0.02
SECOND_SEED = 7919
PAIRED_ROUNDS = 2
PAIRED_FRESH = 1
# Long routes of PAIRS_MIN_CARS cars or more among PAIRS_MIN_CLIENTS clients or more, with
# PAIRS_MIN_S of search or more and no second search beside (``_two_cores``): the last
# PAIRS_SHARE of the time searches pairs of cars among the hotspots the others leave, a slice of
# PAIRS_SLICE_S each (``pyvrp_pairs``; the slowdown of its set-up estimates is measured as it
# goes). Off: one search, 2 s, same runs (benchmarks/RESULTS.md, issue 15 sixth and seventh
# sessions) gained at load 2-4 (12 Cordeau problems with 3-4 cars x 2 seeds 98.09 -> 98.54 %;
# 20 x 2 98.29 -> 98.55 %) and lost at load 9.5 (14 x 2 96.76 -> 96.56 %); beside a second
# search (emulated) the pairs lost or tied (sixth session 98.17 -> 97.95 %, seventh 97.35 ->
# 97.19 %), and pairs searched on both cores at once lost too (seventh session).
PAIRS = False
# With PAIRS on and the other core free (``_two_cores``), the pairs run too, and the second
# search then searches the whole part for the whole time beside the first search and its
# pairs (its plan is taken where it collects more); off: no pairs where a second search runs.
PAIRS_BESIDE = True
PAIRS_MIN_CARS = 3
PAIRS_MIN_S = 1.5
PAIRS_SHARE = 0.5
PAIRS_SLICE_S = 0.12
PAIRS_MIN_CLIENTS = 140


def estimated_setup_s(clients: int) -> float:
    return SETUP_S_FIXED + SETUP_S_PER_CLIENT * clients + SETUP_S_PER_CLIENT2 * clients**2


def run_pyvrp(
    inst: Instance,
    model: Model,
    part: Part,
    stop_at: float,
    seed: int,
    initial: pyvrp.Solution | None,
    handoff: tuple[float, list[Child]] | None = None,
) -> tuple[Routes, pyvrp.Solution] | None:
    """An iterated local search on a built model until ``stop_at`` (a ``perf_counter``
    moment): the routes per car of the part and PyVRP's best solution, or None if it found
    nothing feasible or had no time. ``handoff`` = (until, children): the second search runs
    until ``until`` instead and is appended to ``children`` for the caller to ask and close.

    This is ``pyvrp.solve`` taken apart for four reasons: its neighbourhoods are computed
    before the search time is measured, so the deadline covers them; the time-warp
    penalty starts at ``PENALTY_PER_PRIZE`` of a value unit's prize per second instead of
    the midpoint of its range, which let the search through infeasible plans and raised the
    long TOPTW routes by about 2 points of best-known (benchmarks/RESULTS.md); on long
    routes of several cars the search is cut into ``POOL_ROUNDS`` rounds, the later ones
    ending with set partitioning over every route met so far (``pool``) and starting from
    the best plan so far; and on long routes a second search with another seed runs on the
    other core (``portfolio``), its best plan and routes joined before the last packing
    (with several cars and ``RELAY``, before each packing, the next one starting from the
    best plan of both).
    """
    data = model.data
    began = time.perf_counter()
    neighbours = compute_neighbours(data, NeighbourhoodParams(num_neighbours=NEIGHBOURS))
    search = _local_search(data, seed, neighbours, _long(initial))
    if time.perf_counter() >= stop_at - 0.001:
        return None
    penalties = _penalties(model, initial)
    if initial is None:
        random = pyvrp.Solution.make_random(data, RandomNumberGenerator(seed=seed))
        initial = search(random, penalties.max_cost_evaluator(), exhaustive=True)
    if stop_at - time.perf_counter() <= 0.001:
        return None
    second: Child | None = None
    relay: Callable[[pyvrp.Solution, int], Child | None] | None = None
    if handoff is not None:
        child = _second_search(inst, model, part, neighbours, initial, seed, handoff[0])
        handoff[1].extend([child] if child is not None else [])
    elif _relays(model, part):

        def relayed(start: pyvrp.Solution, r: int) -> Child | None:
            """The second search of round ``r`` (to the end), from ``start``."""
            return _second_search(
                inst,
                model,
                part,
                neighbours,
                start,
                seed + r,
                stop_at,
                until=stop_at,
                history=RELAY_HISTORY,
            )

        relay = relayed
        now = time.perf_counter()
        first_end = now + (stop_at - now) / PAIRED_ROUNDS
        second = _second_search(
            inst, model, part, neighbours, initial, seed, stop_at, until=first_end
        )
    else:
        second = _second_search(inst, model, part, neighbours, initial, seed, stop_at)
    try:
        most = _rounds(
            inst,
            model,
            part,
            search,
            penalties,
            initial,
            stop_at,
            began,
            second,
            relay=relay if second is not None else None,
        )
    finally:
        if second is not None:
            second.close()
    best = most.best
    if not best.is_feasible():
        return None
    return solution_routes(model, part, best), best


def _local_search(
    data: pyvrp.ProblemData,
    seed: int,
    neighbours: dict[pyvrp.Activity, list[pyvrp.Activity]],
    long: bool,
) -> LocalSearch:
    rng = RandomNumberGenerator(seed=seed)
    perturbation = PerturbationManager(PerturbationParams())
    if STRINGS and long and data.num_vehicles > 1:
        search: LocalSearch = StringSearch(data, rng, neighbours, perturbation, seed)
    else:
        search = LocalSearch(data, rng, neighbours, perturbation)
    keep = LONG_OPERATORS if long else None
    for operator in OPERATORS:
        if operator.supports(data) and (keep is None or operator.__name__ in keep):
            search.add_operator(operator(data))
    return search


def _rounds(
    inst: Instance,
    model: Model,
    part: Part,
    search: LocalSearch,
    penalties: PenaltyManager,
    initial: pyvrp.Solution,
    stop_at: float,
    began: float,
    second: Child | None = None,
    paired: bool = False,
    history: int | None = None,
    relay: Callable[[pyvrp.Solution, int], Child | None] | None = None,
    rounds: int | None = None,
) -> MostPrize:
    """The search until ``stop_at``, in rounds on long routes (see ``run_pyvrp``); with a
    ``second`` search, its answer is joined after the last round's search, or, with
    ``relay``, after each round, ``relay(best, next round)`` forking the next one. ``paired``: one
    of two searches (the second, or the first with a second beside it), in
    ``PAIRED_ROUNDS`` rounds of which ``PAIRED_FRESH`` from the start. ``history``: the
    late-acceptance history of every round (by default ``_history``'s). ``rounds``: how
    many (by default as above)."""
    data = model.data
    classes = car_classes(inst, part.cars)
    # rounds only where each gets some search (a 0.05 s solve would spend its time setting up)
    long = _long(initial)
    in_rounds = long and stop_at - time.perf_counter() >= POOL_MIN_S
    span = stop_at - time.perf_counter()
    # short routes: one round, packed (and pooled) only if the search keeps three quarters of
    # the time; one car: the best route met is the best packing, which MostPrize keeps anyway
    short = SHORT_POOL and not long and span >= 4 * _short_reserve(span, part.slowdown)
    pooled = len(part.cars) > 1 and (in_rounds or short)
    pooling = Pooling(model, classes) if pooled else None
    most = MostPrize(initial, pooling)
    before = Before(stop_at, first_s=time.perf_counter() - began)
    paired = paired or second is not None
    # two searches share the CPU where the cores turn out busy after all
    slowdown = part.slowdown * (2 if paired else 1)
    if rounds is None:
        rounds = (PAIRED_ROUNDS if paired else POOL_ROUNDS) if in_rounds else 1
    fresh = PAIRED_FRESH if paired else POOL_FRESH
    try:
        for r in range(rounds):
            now = time.perf_counter()
            end = now + (stop_at - now) / (rounds - r)
            span = end - now
            last = r == rounds - 1
            pack = pooling is not None and (r >= fresh - 1 or last)
            reserve = POOL_SHARE * span if long else _short_reserve(span, part.slowdown)
            joins = second is not None and (last or relay is not None)
            hand = HAND_S * slowdown if joins and not pack else 0.0
            before.stop_at = end - reserve if pack else end - hand
            length = _history(initial) if history is None else history
            ils = IteratedLocalSearch(
                data,
                penalties,
                search,
                initial if r < fresh else most.best,
                IteratedLocalSearchParams(history_length=length, callbacks=most),
            )
            # short routes: also once the search has settled (``pyvrp_stop``)
            stop = before if long else Settled(before, most, settled_after(data.num_clients))
            ils.run(stop, collect_stats=False)
            before.last = None  # the pause between rounds is no iteration
            if second is not None and joins:
                # the packing keeps half its reserve whatever the second search does
                answer = second.answer(end - (reserve / 2 if pack else hand / 2))
                second = None
                theirs = joined_in(inst, model, part, answer, pooling)
                if theirs is not None:
                    most.offer(theirs)
            least = (PACK_S if long else SHORT_PACK_S / 2) * slowdown
            if pack and pooling is not None and end - time.perf_counter() > least:
                # a quarter of its reserve is left for answering: a packing that cannot prove its
                # best searches until it is told to stop (c101 with 4 cars answered +38 ms late)
                joined = packed(inst, model, part, pooling, classes, most.best, end - reserve / 4)
                if joined is not None:
                    most.offer(joined)
                    # an exhaustive search takes about as long as the longest iteration
                    if time.perf_counter() + 2 * before.longest < end:
                        most.offer(search(joined, penalties.cost_evaluator(), exhaustive=True))
            if relay is not None and not last:
                # the next second search starts from the best plan of both so far
                second = relay(most.best, r + 1)
    finally:
        if second is not None:
            second.close()
    return most


def _second_search(
    inst: Instance,
    model: Model,
    part: Part,
    neighbours: dict[pyvrp.Activity, list[pyvrp.Activity]],
    initial: pyvrp.Solution,
    seed: int,
    stop_at: float,
    until: float | None = None,
    history: int | None = None,
) -> Child | None:
    """On long routes with ``PORTFOLIO_MIN_S`` of search or more, the same search with
    another seed in a forked process (``portfolio.fork``), done before the last packing:
    its best routes and its pool's most valuable routes (``pyvrp_pool.Handed``). With
    ``until`` (``RELAY``), one round from ``initial``, done before the parent's packing at
    ``until``. ``history``: its late-acceptance history (by default ``_rounds``')."""
    now = time.perf_counter()
    span = stop_at - now
    if not (_long(initial) and span >= PORTFOLIO_MIN_S and _two_cores(part)):
        return None
    own: int | None = None
    if until is None:
        rounds = PAIRED_ROUNDS if span >= POOL_MIN_S else 1
        reserve = POOL_SHARE * span / rounds if len(part.cars) > 1 else 0.0
        until = stop_at
    else:
        own = 1
        reserve = POOL_SHARE * (until - now) if len(part.cars) > 1 else 0.0
    done_at = until - reserve - 2 * HAND_S * part.slowdown  # the slowdown of two searches

    def work() -> Handed:
        search = _local_search(model.data, seed + SECOND_SEED, neighbours, True)
        penalties = _penalties(model, initial)
        began = time.perf_counter()
        length = history
        if length is None and _selective(model, part, initial):
            length = ONE_CAR_HISTORY
        most = _rounds(
            inst,
            model,
            part,
            search,
            penalties,
            initial,
            done_at,
            began,
            None,
            True,
            length,
            rounds=own,
        )
        return handed(model, part, most.best, most.pooling)

    return fork(work)


def _short_reserve(span: float, slowdown: float) -> float:
    """The packing's time at the end of a search of ``span`` seconds on short routes: CP-SAT's
    model and start take a few ms whatever the share."""
    return max(POOL_SHARE * span, SHORT_PACK_S * slowdown)


def _long(initial: pyvrp.Solution | None) -> bool:
    if initial is None or initial.num_routes() == 0:
        return False
    return initial.num_clients() / initial.num_routes() >= LONG_ROUTE_STOPS


def _relays(model: Model, part: Part) -> bool:
    """Whether the second search is relayed after each round (``RELAY``)."""
    return RELAY and len(part.cars) > 1 and model.data.num_clients >= RELAY_MIN_CLIENTS


def _penalties(model: Model, initial: pyvrp.Solution | None) -> PenaltyManager:
    """Long routes start from a low time-warp penalty, short ones from PyVRP's midpoint."""
    if _long(initial):
        start = model.unit_prize * PENALTY_PER_PRIZE
        params = PenaltyParams(
            solutions_between_updates=UPDATES_EVERY,
            min_penalty=start * 1e-3,
            max_penalty=start * 1e3,
        )
    else:
        params = PenaltyParams(max_penalty=float(max(100_000, 2 * model.max_prize)))
        start = params.min_penalty + (params.max_penalty - params.min_penalty) / 2
    return PenaltyManager(([start] * model.data.num_load_dimensions, start, start), params)


def _selective(model: Model, part: Part, initial: pyvrp.Solution) -> bool:
    """One car whose warm start visits at most one in ``SELECTIVE`` of the clients."""
    visited = max(1, initial.num_clients())
    return len(part.cars) == 1 and model.data.num_clients >= SELECTIVE * visited


def _history(initial: pyvrp.Solution | None) -> int:
    return HISTORY if _long(initial) else PYVRP_HISTORY


def improve_with_pyvrp(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Iterated local search from the warm start on one part, within ``seconds``; with
    ``PAIRS``, on long routes of ``PAIRS_MIN_CARS`` cars or more among ``PAIRS_MIN_CLIENTS``
    clients or more with ``PAIRS_MIN_S`` or more, the last ``PAIRS_SHARE`` of the time searches
    pairs of cars (``pyvrp_pairs``); where the other core is free (and ``PAIRS_BESIDE``), a
    second search of the whole part runs beside for the whole time."""
    began = time.perf_counter()
    setup = estimated_setup_s(client_count(inst, part)) * part.slowdown
    if setup > 0.4 * seconds:
        return None
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, part.warm)
    until = began + seconds
    pairs = PAIRS and len(part.cars) >= PAIRS_MIN_CARS and seconds >= PAIRS_MIN_S
    pairs = pairs and _long(initial) and model.data.num_clients >= PAIRS_MIN_CLIENTS
    two = _two_cores(part)
    pairs = pairs and (PAIRS_BESIDE or not two)
    first = until - PAIRS_SHARE * seconds if pairs else until
    pace = Pace()
    children: list[Child] = []
    handoff = (until, children) if pairs and two else None
    try:
        found = run_pyvrp(inst, model, part, first, seed, initial, handoff)
        if found is None:
            return None
        if not pairs:
            return found[0]
        # the pairs' set-up estimates take the slowdown measured since, if it rose
        part = replace(part, slowdown=max(part.slowdown, pace.slowdown()))
        hand = HAND_S * part.slowdown if children else 0.0
        routes = improve_pairs(
            inst, part, found[0], until - hand, seed, _pair_search, PAIRS_SLICE_S
        )
        for child in children:
            theirs = child.answer(until)
            if not isinstance(theirs, Handed) or theirs.routes is None:
                continue
            if inst.route_value(theirs.routes) > inst.route_value(routes):
                routes = theirs.routes
        return routes
    finally:
        for child in children:
            child.close()


def _two_cores(part: Part) -> bool:
    """Whether a second search may run on the other core: not where the solve's set-up ran
    slower than ``PORTFOLIO_MAX_SLOWDOWN`` (no core is free: the two would share one, and
    answer late)."""
    return PORTFOLIO and can_fork() and part.slowdown <= PORTFOLIO_MAX_SLOWDOWN


def _pair_search(inst: Instance, part: Part, stop_at: float, seed: int) -> Routes | None:
    """A search of a part of two cars until ``stop_at``, if its set-up fits twice over."""
    setup = estimated_setup_s(client_count(inst, part)) * part.slowdown
    if time.perf_counter() + 2 * setup >= stop_at:
        return None
    model = build_model(inst, part)
    initial = warm_solution(inst, model, part, part.warm)
    found = run_pyvrp(inst, model, part, stop_at, seed, initial)
    return None if found is None else found[0]


class PyVrpSolver:
    """PyVRP's iterated local search, warm-started from greedy, per part."""

    name = "pyvrp"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        return decomposed_solve(
            problem,
            name=self.name,
            improve=improve_with_pyvrp,
            time_limit_s=time_limit_s,
            seed=seed,
        )
