"""Which accounts a query may see: the sidebar filters and the user's access rights.

Every query that reads account data starts from the `scoped_accounts($regions, $industries,
$managers, $account_ids)` macro (ka/sql/macros.sql) with `Scope.params()`, so a filter or an
access rule added here and there holds on every page and in every export.
"""

from __future__ import annotations

from dataclasses import dataclass

from ka.periods import Period


@dataclass(frozen=True)
class Scope:
    """Account filters; an empty tuple means "all". Hashable, so it can key st.cache_data."""

    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    account_ids: tuple[str, ...] | None = None  # an explicit account list (e.g. a tier), None = no limit
    # What the user may see (ka/access.py): only these managers' accounts, None = no limit. Kept
    # apart from `managers` so that a page narrowing the filter (a drill-down) cannot widen it.
    allowed_managers: tuple[str, ...] | None = None

    def params(self) -> dict:
        managers = list(self.managers) or None
        if self.allowed_managers is not None:  # an empty list matches no account
            managers = [m for m in (managers or self.allowed_managers) if m in self.allowed_managers]
        return {
            "regions": list(self.regions) or None,
            "industries": list(self.industries) or None,
            "managers": managers,
            "account_ids": list(self.account_ids) if self.account_ids is not None else None,
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.regions or self.industries or self.managers or self.account_ids is not None
                    or self.allowed_managers is not None)


ALL = Scope()


def period_params(period: Period, prefix: str = "") -> dict:
    """$<prefix>start and $<prefix>end of a period, for `period_rows($start, $end)` in ka/sql."""
    return {f"{prefix}start": period.start, f"{prefix}end": period.end}
