"""The route pool of a PyVRP search and its packing back into a PyVRP solution
(``pool.RoutePool``, ``pool.best_packing``); what a second search hands over to the first
(``Handed``)."""

from __future__ import annotations

from dataclasses import dataclass

import pyvrp

from smartspot.optimise.instance import Instance, Routes
from smartspot.optimise.pool import POOL_LIMIT, RoutePool, best_packing
from smartspot.optimise.pyvrp_model import Model, solution_routes, warm_solution
from smartspot.optimise.solver import Part


def car_classes(inst: Instance, cars: list[int]) -> list[int]:
    """Per car of ``cars``, the number of its class: cars with the same start, end, free time
    and deadline can drive each other's routes."""
    keys: dict[tuple[int, int, int, int], int] = {}
    return [
        keys.setdefault(
            (int(inst.start[k]), int(inst.end[k]), int(inst.available[k]), int(inst.deadline[k])),
            len(keys),
        )
        for k in cars
    ]


class Pooling:
    """Every route of the candidates that is feasible by itself, into a ``RoutePool`` (by car
    class: cars with the same start, end and times share their routes)."""

    def __init__(self, model: Model, classes: list[int]) -> None:
        self.model = model
        self.classes = classes
        self.pool = RoutePool()
        self.seen: set[tuple[int, int, int, int, int]] = set()

    def take(self, solution: pyvrp.Solution) -> None:
        for route in solution.routes():
            # a cheap key first: most routes of a candidate are those of the one before
            key = (
                route.vehicle_type(),
                route.prizes(),
                route.distance(),
                route.duration(),
                route.num_clients(),
            )
            if key in self.seen or not route.is_feasible():
                continue
            self.seen.add(key)
            hotspots = [self.model.owner[a.idx] for a in route if a.is_client()]
            value = route.prizes() / self.model.unit_prize
            self.pool.add(self.classes[route.vehicle_type()], hotspots, value)


def packed(
    inst: Instance,
    model: Model,
    part: Part,
    pooling: Pooling,
    classes: list[int],
    best: pyvrp.Solution,
    stop_at: float,
) -> pyvrp.Solution | None:
    """The best packing of the pool's routes as a PyVRP solution (None: none in time)."""
    seats: dict[int, int] = {}
    for c in classes:
        seats[c] = seats.get(c, 0) + 1
    pooling.take(best)
    chosen = best_packing(pooling.pool, seats, best.prizes() / model.unit_prize, stop_at)
    if chosen is None:
        return None
    free = {c: [v for v, cv in enumerate(classes) if cv == c] for c in seats}
    routes: Routes = [[] for _ in part.cars]
    for c, route in chosen:
        routes[free[c].pop()] = list(route)
    return warm_solution(inst, model, part, routes)


@dataclass(frozen=True)
class Handed:
    """A second search's answer (``portfolio``): its best routes per car of the part, if
    feasible, and its pool's most valuable routes ((car class, hotspots), value)."""

    routes: Routes | None
    pool: list[tuple[tuple[int, tuple[int, ...]], float]]


def handed(model: Model, part: Part, best: pyvrp.Solution, pooling: Pooling | None) -> Handed:
    """What a search hands over: ``best``'s routes and the pool's ``POOL_LIMIT`` best."""
    routes = solution_routes(model, part, best) if best.is_feasible() else None
    if pooling is not None:
        pooling.take(best)
    return Handed(routes, pooling.pool.best(POOL_LIMIT) if pooling is not None else [])


def joined_in(
    inst: Instance, model: Model, part: Part, answer: object, pooling: Pooling | None
) -> pyvrp.Solution | None:
    """A second search's answer joined in: its routes into ``pooling``'s pool, its best plan
    as a PyVRP solution (None when there is no answer or no feasible plan in it)."""
    if not isinstance(answer, Handed):
        return None
    if pooling is not None:
        for (klass, route), value in answer.pool:
            pooling.pool.add(klass, route, value)
    if answer.routes is None or len(answer.routes) != len(part.cars):
        return None
    return warm_solution(inst, model, part, answer.routes)
