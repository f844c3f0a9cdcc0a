"""Statistical disclosure control: no child or family can be singled out from a published figure.

One rule for every figure the portal publishes: the campaign's reports (``portal/reports``),
the self-check answers (``portal/ready``) and the appeal and offer response figures
(``portal/needs/response.py``); ``tests/test_report_suppression.py`` and
``tests/test_security_findings.py`` attack all of them the same way.

The published figures form one hierarchy of additive cells, each keyed
``(region, recipient_group, aid_kind, source)`` with ``None`` meaning "all":

* the national total ``(None, None, None, None)``;
* national totals by group, by kind and by source (``(None, g, None, None)`` …);
* each region's total ``(r, None, None, None)``;
* each region's detail cells ``(r, g, k, s)``.

They are tied by equations "total = sum of parts": the national total is the sum of
the regions, of the groups, of the kinds and of the sources; a region's total is the
sum of its cells; a national group (kind, source) total is the sum of the cells of
that group (kind, source) in every region.

Rule (``REPORT_SUPPRESSION_THRESHOLD``, default 10):

1. **Primary suppression.** Below national level, a cell with 1 to threshold−1
   children is hidden, with its amount and items, and shown as "<10".
2. **Complementary suppression.** More cells are hidden (shown as "x") until no
   hidden figure can be worked out from the published ones: every equation has
   either no hidden part or at least two, no combination of equations pins a hidden
   figure down (checked by linear algebra), and two or more hidden small cells in an
   equation do not reveal each other through the known bounds 1…threshold−1.
   Complements are taken from the largest level of detail first and, among those,
   the smallest figures, so as little as possible is lost; the national total is
   never hidden.
3. **Sticky suppression.** Cells hidden in an earlier version stay hidden in later
   ones, so comparing versions does not reveal them.
4. **Zeros in a published grid** (``published_zeros``; the self-check shows every answer of
   every question, zeros included). A "<10" beside true zeros of the same row says what the
   few answered ("<10, 0, 0": one family, and its answer). So a zero that differs from a
   small cell only by its group (the same region, kind and source) is hidden like a small
   cell, zeros take part in the equations, and the reader's knowledge of a hidden figure
   starts at 0 instead of 1 (a "<10" may be 0…9, an "x" any number). A zero whose national
   total for its group is 0 as well says nothing that the national figure does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask import current_app

Key = tuple  # (region, group, kind, source), None = all
NATIONAL: Key = (None, None, None, None)

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
HIDDEN_MARK = "x"


def threshold() -> int:
    """The small-count threshold of every published figure (``REPORT_SUPPRESSION_THRESHOLD``, one setting)."""
    return int(current_app.config["REPORT_SUPPRESSION_THRESHOLD"])


def marker(status: str | None, threshold: int) -> str | None:
    """How a hidden figure is shown: "<10" for a small one, "x" for a complement."""
    if status == PRIMARY:
        return "<%d" % threshold
    if status == COMPLEMENTARY:
        return HIDDEN_MARK
    return None

# A large prime: exact linear algebra over a finite field (no floats, no numpy).
_P = (1 << 61) - 1


@dataclass
class Figure:
    children: int = 0
    amount: int = 0
    items: int = 0

    def add(self, children: int, amount: int, items: int) -> None:
        self.children += children
        self.amount += amount
        self.items += items


def build_hierarchy(cells: dict[Key, Figure]) -> dict[Key, Figure]:
    """All published figures (national, by dimension, by region) from the detail cells ``(r, g, k, s)``."""
    figures: dict[Key, Figure] = {NATIONAL: Figure()}
    for (region, group, kind, source), fig in cells.items():
        for key in (
            (region, group, kind, source),
            (region, None, None, None),
            (None, group, None, None),
            (None, None, kind, None),
            (None, None, None, source),
            NATIONAL,
        ):
            figures.setdefault(key, Figure()).add(fig.children, fig.amount, fig.items)
    return figures


def equations(keys: Iterable[Key]) -> list[tuple[Key, list[Key]]]:
    """Every "total = sum of parts" relation between the non-zero published figures."""
    keys = list(keys)
    groups: dict[Key, list[Key]] = {}
    for key in keys:
        region, group, kind, source = key
        if key == NATIONAL:
            continue
        is_detail = None not in key
        if is_detail:
            for total in ((region, None, None, None), (None, group, None, None),
                          (None, None, kind, None), (None, None, None, source)):
                groups.setdefault(total, []).append(key)
        else:
            # A regional total, or a national total by one dimension: a part of the national total.
            dim = next(i for i, v in enumerate(key) if v is not None)
            groups.setdefault(("__national__", dim), []).append(key)
    result = []
    for total, parts in groups.items():
        result.append((NATIONAL if total[0] == "__national__" else total, sorted(parts, key=_sort_key)))
    return sorted(result, key=lambda eq: (_sort_key(eq[0]), _sort_key(eq[1][0])))


def _sort_key(key: Key):
    return tuple("" if v is None else v for v in key)


def is_national(key: Key) -> bool:
    return key[0] is None


def suppress(figures: dict[Key, Figure], threshold: int = 10, also_hide: Iterable[Key] = (),
             published_zeros: Iterable[Key] = ()) -> dict[Key, str]:
    """Which figures to hide: ``{key: PRIMARY | COMPLEMENTARY}``. ``figures`` comes from ``build_hierarchy``.

    ``published_zeros``: keys of ``figures`` shown as 0 (rule 4); without them zeros are not published.
    """
    keys = [k for k, f in figures.items() if f.children or f.amount or f.items]
    present = set(keys)
    zeros = [  # detail zeros only; a zero whose national total for its group is 0 too is known to all anyway
        tuple(k) for k in published_zeros
        if None not in tuple(k) and tuple(k) in figures and tuple(k) not in present
        and figures.get((None, k[1], None, None), Figure()).children
    ]
    keys += zeros
    hidden: dict[Key, str] = {}
    for key in keys:
        if not is_national(key) and 0 < figures[key].children < threshold:
            hidden[key] = PRIMARY
    small_rows = {(k[0], k[2], k[3]) for k in hidden if None not in k}
    for key in zeros:
        if None not in key and (key[0], key[2], key[3]) in small_rows:
            hidden[key] = PRIMARY
    zero_possible = bool(zeros)
    for key in also_hide:
        key = tuple(key)
        if key in figures and key not in hidden and key != NATIONAL and key in keys:
            hidden[key] = COMPLEMENTARY
    eqs = equations(keys)
    by_key: dict[Key, list[int]] = {}
    for i, (total, parts) in enumerate(eqs):
        for member in [total, *parts]:
            by_key.setdefault(member, []).append(i)

    for _ in range(10 * len(keys) + 10):  # every pass hides one more figure: bounded
        candidate = None
        for i in _weak_equations(eqs, hidden, figures, threshold, zero_possible):
            candidate = _best_complement(eqs[i], hidden, figures, threshold, eqs, by_key)
            if candidate is not None:
                break
        if candidate is None:
            break  # safe, or nothing left that could be hidden
        hidden[candidate] = COMPLEMENTARY
    return hidden


def _weak_equations(eqs, hidden, figures, threshold, zero_possible=False) -> list[int]:
    """Equations through which a hidden figure can be recovered, the most urgent first; empty when safe."""
    # Cheapest check first: an equation with exactly one hidden member gives it away by subtraction.
    single = [i for i, (total, parts) in enumerate(eqs) if sum(m in hidden for m in (total, *parts)) == 1]
    if single:
        return single
    exposed = recoverable(eqs, hidden) | pinned(eqs, hidden, figures, threshold, zero_possible)
    if not exposed:
        return []
    order = sorted(exposed, key=lambda k: (hidden[k] != PRIMARY, is_national(k), _sort_key(k)))
    result: list[int] = []
    for target in order:
        # The target's own equations first, then those linked to them through other hidden figures:
        # a figure pinned by a combination of equations is freed by a new unknown anywhere in it.
        seen_keys, frontier = {target}, [target]
        while frontier:
            options = [
                i for i, (t, p) in enumerate(eqs)
                if i not in result and any(m in frontier for m in (t, *p))
            ]
            result.extend(sorted(options, key=lambda i: sum(m in hidden for m in (eqs[i][0], *eqs[i][1]))))
            frontier = [
                m for i in options for m in (eqs[i][0], *eqs[i][1]) if m in hidden and m not in seen_keys
            ]
            seen_keys.update(frontier)
    return result


def prior(key: Key, status: str, threshold: int, zero_possible: bool = False) -> tuple[float, float]:
    """What a reader knows about a hidden figure before any arithmetic.

    "<10" cells hold 1…threshold−1 children. An "x" cell is listed, so it is not zero, and
    it is not small, so below national level it holds at least ``threshold``. Where zeros are
    published and hidden too (rule 4), any hidden figure may be 0 and an "x" may be small.
    """
    if zero_possible:
        return 0, (threshold - 1 if status == PRIMARY else float("inf"))
    if status == PRIMARY:
        return 1, threshold - 1
    return (1 if is_national(key) else threshold), float("inf")


def bounds(eqs, hidden, figures, threshold, rounds: int = 60, zero_possible: bool = False) -> dict[Key, tuple[float, float]]:
    """Tightest intervals for the hidden children counts that the equations and the priors allow."""
    box = {key: prior(key, status, threshold, zero_possible) for key, status in hidden.items()}
    for _ in range(rounds):
        changed = False
        for total, parts in eqs:
            terms = [(1, total)] + [(-1, p) for p in parts]
            unknown = [(c, k) for c, k in terms if k in hidden]
            if not unknown:
                continue
            rhs = -sum(c * figures[k].children for c, k in terms if k not in hidden)
            for c, key in unknown:
                low_rest = sum(cj * (box[kj][0] if cj > 0 else box[kj][1]) for cj, kj in unknown if kj != key)
                high_rest = sum(cj * (box[kj][1] if cj > 0 else box[kj][0]) for cj, kj in unknown if kj != key)
                lo, hi = rhs - high_rest, rhs - low_rest  # range of c * x
                if c < 0:
                    lo, hi = -hi, -lo
                old_lo, old_hi = box[key]
                new = (max(old_lo, lo), min(old_hi, hi))
                if new != box[key]:
                    box[key] = new
                    changed = True
        if not changed:
            break
    return box


def pinned(eqs, hidden, figures, threshold, zero_possible: bool = False) -> set[Key]:
    """Hidden figures whose interval has shrunk to a single value."""
    box = bounds(eqs, hidden, figures, threshold, zero_possible=zero_possible)
    return {key for key, (lo, hi) in box.items() if lo >= hi}


def _best_complement(equation, hidden, figures, threshold, eqs, by_key):
    """The published figure of this equation whose hiding protects most and loses least."""
    total, parts = equation
    candidates = [m for m in [total, *parts] if m not in hidden and m != NATIONAL]
    if not candidates:
        return None

    def one_unknown(i):
        t, p = eqs[i]
        return sum(m in hidden for m in [t, *p]) == 1

    def score(key):
        fig = figures[key]
        helps = sum(1 for i in by_key.get(key, []) if one_unknown(i))
        return (
            is_national(key),                   # regional figures before national ones
            None in key,                        # detail cells before totals
            -helps,                             # mends other weak equations too
            fig.children <= threshold,          # leave a margin over the small cells
            fig.children,
            fig.amount,
            _sort_key(key),
        )

    return min(candidates, key=score)


def recoverable(eqs, hidden) -> set[Key]:
    """Hidden figures that a combination of the equations determines exactly (Gaussian elimination mod p)."""
    unknown = sorted(hidden, key=_sort_key)
    column = {key: i for i, key in enumerate(unknown)}
    pivots: dict[int, dict[int, int]] = {}
    for total, parts in eqs:
        row: dict[int, int] = {}
        if total in column:
            row[column[total]] = 1
        for part in parts:
            if part in column:
                c = column[part]
                row[c] = (row.get(c, 0) - 1) % _P
        row = {c: v for c, v in row.items() if v}
        row = _reduce(row, pivots)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _P - 2, _P)
        row = {c: v * inverse % _P for c, v in row.items()}
        for other_pivot, other in pivots.items():
            if pivot in other:
                factor = other[pivot]
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % _P
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[pivot] = row
    return {unknown[p] for p, row in pivots.items() if len(row) == 1}


def _reduce(row: dict[int, int], pivots: dict[int, dict[int, int]]) -> dict[int, int]:
    for pivot, prow in pivots.items():
        factor = row.get(pivot)
        if factor:
            for c, v in prow.items():
                row[c] = (row.get(c, 0) - factor * v) % _P
            row = {c: v for c, v in row.items() if v}
    return row
