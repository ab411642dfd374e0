"""``smartspot solve PROBLEM.json --time-limit SECONDS [--solver NAME] --json``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from smartspot.cli.output import emit, help_text
from smartspot.i18n import joined, msg
from smartspot.optimise.problem import read_problem, solution_to_dict
from smartspot.optimise.solvers import DEFAULT_SOLVER, get_solver, solver_names


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "solve",
        help=help_text("plan the free cars' detours in a problem file (see README: problem file)"),
    )
    parser.add_argument("problem", type=Path, help=help_text("problem file (JSON)"))
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help=help_text("wall-time limit; the answer comes within it (+50 ms at most). Default 1"),
    )
    parser.add_argument(
        "--solver",
        default=DEFAULT_SOLVER,
        choices=solver_names(),
        help=help_text(
            "which solver (default {DEFAULT_SOLVER}: the best measured set-up)",
            DEFAULT_SOLVER=DEFAULT_SOLVER,
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help=help_text("random seed of the search"))
    parser.add_argument("--json", action="store_true", help=help_text("print JSON"))
    parser.set_defaults(func=run_solve)


def run_solve(args: argparse.Namespace) -> int:
    problem = read_problem(args.problem)
    solution = get_solver(args.solver).solve(problem, time_limit_s=args.time_limit, seed=args.seed)
    data = solution_to_dict(solution)
    lines = [msg("value {value} ({solver})", value=float(solution.value), solver=solution.solver)]
    for plan in solution.plans:
        stops = [
            msg(
                "{hotspot} {start}–{leave} min",
                hotspot=s.hotspot,
                start=s.start_s // 60,
                leave=s.leave_s // 60,
            )
            for s in plan.stops
        ]
        lines.append(
            msg(
                "{car}: {stops}; home at {home} min",
                car=plan.car,
                stops=joined(stops, ", ") if stops else msg("straight home"),
                home=plan.return_s // 60,
            )
        )
    emit(data, as_json=args.json, text=joined(lines, "\n"))
    return 0
