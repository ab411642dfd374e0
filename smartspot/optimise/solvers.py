"""Every solver by name, and the default: the best measured set-up (benchmarks/RESULTS.md).

The backends (PyVRP, OR-Tools, VROOM) are imported when first used, not with this module:
together they take 0.5–1.5 s to import, and ``smartspot solve`` on a small file needs none of
them when the exact enumeration proves the answer (benchmarks/RESULTS.md, start-up).
"""

from __future__ import annotations

import time

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
# Long routes used to start PyVRP from VROOM's plan (a quarter of the time): PyVRP alone had
# stayed up to 10 % below VROOM on Solomon with 2-4 cars. That was PyVRP stuck among
# infeasible plans (its penalty updated once a run, see pyvrp_solver.UPDATES_EVERY); with the
# penalty updated every 100 candidates, PyVRP alone from greedy beat the VROOM start in the
# same grid run (2 s, 264 problems: 99.01 % against 98.85 % mean; benchmarks/RESULTS.md), so
# VROOM is an outside anchor (``--solver vroom``) only.


def improve_auto(inst: Instance, part: Part, seconds: float, seed: int) -> Routes | None:
    """Exact for one car or small parts (unless the routes are long); then PyVRP from the
    warm start; then OR-Tools when PyVRP could not run."""
    began = time.perf_counter()
    one_car = len(part.cars) == 1 and len(part.hotspots) <= EXACT_ONE_CAR_HOTSPOTS
    small = one_car or len(part.hotspots) <= EXACT_PART_HOTSPOTS
    if small and not has_long_routes(part.warm):
        proven = exact_part(inst, part, min(0.7 * seconds, EXACT_S + EXACT_SHARE * seconds), seed)
        if proven is not None:
            return proven
    from smartspot.optimise.pyvrp_solver import improve_with_pyvrp

    found = improve_with_pyvrp(inst, part, seconds - (time.perf_counter() - began), seed)
    if found is not None:
        return found
    left = seconds - (time.perf_counter() - began)
    if left <= 0.005:
        return None
    from smartspot.optimise.ortools_routing import improve_with_ortools

    return improve_with_ortools(inst, part, left, seed)


class AutoSolver:
    """The default: greedy construction, per-part exact proof where small and the routes
    short, else PyVRP warm-started from greedy (it measured best; see benchmarks/RESULTS.md),
    else OR-Tools."""

    name = "auto"

    def solve(self, problem: Problem, *, time_limit_s: float = 1.0, seed: int = 0) -> Solution:
        return decomposed_solve(
            problem, name=self.name, improve=improve_auto, time_limit_s=time_limit_s, seed=seed
        )


def preload() -> None:
    """Import every backend ``auto`` uses now (VROOM is only the ``vroom`` solver's): a
    long-running service (the API, a simulation) calls this at
    start so that its first proposal does not wait for the imports (0.5–2 s under load)."""
    import ortools.sat.python.cp_model  # noqa: F401

    import smartspot.optimise.ortools_routing
    import smartspot.optimise.pyvrp_solver  # noqa: F401


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
