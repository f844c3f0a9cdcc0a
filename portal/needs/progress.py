"""Where each need stands: pledged and delivered through offers answering it, and what is still needed.

Staff keep ``quantity_total`` (needed in all) and ``quantity_needed`` (still needed, counting help from
every other source: budget, schools, earlier campaigns). Offers sent from the board add on top:

* pledged: each non-declined offer answering the need counts its quantity, or what it delivered when more;
* delivered: the quantities of those offers' deliveries;
* still needed: what staff say is needed less what is pledged (never below 0); 0 once staff mark it covered;
* received: what staff count as arrived plus what offers delivered (never above the total).

A need with nothing still needed is covered: the board stops inviting offers and the form refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Need


@dataclass(frozen=True)
class NeedProgress:
    total: int
    needed: int  # staff's figure
    pledged: int
    delivered: int
    marked_covered: bool

    @property
    def still_needed(self) -> int:
        return 0 if self.marked_covered else max(0, self.needed - self.pledged)

    @property
    def covered(self) -> bool:
        return self.marked_covered or self.still_needed == 0

    @property
    def received(self) -> int:
        return min(self.total, max(0, self.total - self.needed) + self.delivered)

    @property
    def percent(self) -> int:
        """Share received, 0–100 (100 once marked covered)."""
        if self.marked_covered:
            return 100
        if self.total <= 0:
            return 0
        return min(100, round(100 * self.received / self.total))


def progress_of(needs: list[Need]) -> dict[int, NeedProgress]:
    """``{need.id: NeedProgress}``; two queries whatever the number of needs."""
    from ..offers.deliveries import pledges_for_needs  # the offers area imports the needs area

    sums = pledges_for_needs([n.id for n in needs])
    return {
        n.id: NeedProgress(n.quantity_total, n.quantity_needed, *sums.get(n.id, (0, 0)), n.covered) for n in needs
    }


def progress(need: Need) -> NeedProgress:
    return progress_of([need])[need.id]
