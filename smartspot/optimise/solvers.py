"""Every solver by name, and the default: the best measured set-up (benchmarks/RESULTS.md).

The backends (PyVRP, OR-Tools, VROOM) are imported when first used, not with this module:
together they take 0.5–1.5 s to import, and ``smartspot solve`` on a small file needs none of
them when the exact enumeration proves the answer (benchmarks/RESULTS.md, start-up).
"""

from __future__ import annotations

import time
from dataclasses import replace

from smartspot.errors import InvalidInputError
from smartspot.i18n import msg
from smartspot.optimise.exact import ExactSolver, exact_part
from smartspot.optimise.greedy import GreedySolver
from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.problem import Problem, Solution
from smartspot.optimise.solver import Part, Solver, decomposed_solve, has_long_routes

# Parts of one car, or whose cars together reach at most this many hotspots, are first tried
# exactly: route enumeration proves them optimal in a few milliseconds (one car among 150
# reachable hotspots: 1–7 ms), and gives up at its label cap when it cannot.
EXACT_PART_HOTSPOTS = 40
EXACT_ONE_CAR_HOTSPOTS = 200
# Where the proof does not come quickly enumeration runs into its label cap after about a
# second; so it gets this much of the time at most. On long routes (TOPTW's 10–40 stops a car,
# ``has_long_routes`` of the construction) it never came on any of the 264 published problems,
# so it is not tried there: those 10 % of the limit go to the search.
EXACT_S = 0.03
EXACT_SHARE = 0.1
# Long routes (TOPTW) start PyVRP from VROOM's plan when it is better than greedy's: on the
# Solomon instances with 2–4 cars PyVRP alone stayed up to 10 % below VROOM (RESULTS.md).
# VROOM's set-up cannot be interrupted and grows steeply, hence the size cap.
# Its timeout is overrun by up to 0.25 s (measured under load), so it gets a quarter of limits
# of half a second or more, and PyVRP's deadline absorbs the overrun.
VROOM_MAX_HOTSPOTS = 120
VROOM_SHARE = 0.25
VROOM_MIN_S = 0.5


def improve_auto(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Exact for one car or small parts (unless the routes are long); then, for long routes,
    VROOM for a quarter of the time; then PyVRP from the better of greedy's and VROOM's plan; then OR-Tools when PyVRP
    could not run."""
    began = time.perf_counter()
    long = has_long_routes(part.warm)
    one_car = len(part.cars) == 1 and len(part.hotspots) <= EXACT_ONE_CAR_HOTSPOTS
    if not long and (one_car or len(part.hotspots) <= EXACT_PART_HOTSPOTS):
        proven = exact_part(inst, part, min(0.7 * seconds, EXACT_S + EXACT_SHARE * seconds), seed)
        if proven is not None:
            return proven
    from smartspot.optimise.pyvrp_solver import improve_with_pyvrp

    seeded = None
    if long and len(part.hotspots) <= VROOM_MAX_HOTSPOTS and seconds >= VROOM_MIN_S:
        from smartspot.optimise.vroom_solver import vroom_routes

        left = seconds - (time.perf_counter() - began)
        seeded = vroom_routes(inst, part.cars, part.hotspots, VROOM_SHARE * left)
        if seeded is not None and inst.route_value(seeded) > inst.route_value(part.warm) + 1e-9:
            part = replace(part, warm=seeded)
        else:
            seeded = None
    left = seconds - (time.perf_counter() - began)
    found = improve_with_pyvrp(inst, part, left, seed)
    if found is not None:
        return found
    if seeded is not None:
        return seeded
    left = seconds - (time.perf_counter() - began)
    if left <= 0.005:
        return None
    from smartspot.optimise.ortools_routing import improve_with_ortools

    return improve_with_ortools(inst, part, left, seed)


class AutoSolver:
    """The default: greedy construction, per-part exact proof where small, else PyVRP
    warm-started from greedy (it measured best; see benchmarks/RESULTS.md) or, for long routes
    among at most ``VROOM_MAX_HOTSPOTS`` hotspots, from VROOM's plan when that is better, else
    OR-Tools."""

    name = "auto"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        return decomposed_solve(
            problem, name=self.name, improve=improve_auto, time_limit_s=time_limit_s, seed=seed
        )


def preload() -> None:
    """Import every backend now: a long-running service (the API, a simulation) calls this at
    start so that its first proposal does not wait for the imports (0.5–2 s under load)."""
    import ortools.sat.python.cp_model  # noqa: F401

    import smartspot.optimise.ortools_routing
    import smartspot.optimise.pyvrp_solver
    import smartspot.optimise.vroom_solver  # noqa: F401


def solver_names() -> list[str]:
    return ["auto", "greedy", "ortools", "pyvrp", "exact", "vroom"]


DEFAULT_SOLVER = "auto"


def get_solver(name: str = DEFAULT_SOLVER) -> Solver:
    """The solver called ``name``.

    Raises
    ------
    InvalidInputError
        When no solver has that name.
    """
    if name == "auto":
        return AutoSolver()
    if name == "greedy":
        return GreedySolver()
    if name == "ortools":
        from smartspot.optimise.ortools_routing import OrToolsSolver

        return OrToolsSolver()
    if name == "pyvrp":
        from smartspot.optimise.pyvrp_solver import PyVrpSolver

        return PyVrpSolver()
    if name == "exact":
        return ExactSolver()
    if name == "vroom":
        from smartspot.optimise.vroom_solver import VroomSolver

        return VroomSolver()
    raise InvalidInputError(
        msg(
            "unknown solver {name!r}; choose one of {solver_names}",
            name=name,
            solver_names=", ".join(solver_names()),
        ),
        field="solver",
    )
