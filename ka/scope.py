"""Which accounts a query may see: the sidebar filters and, later, access rights.

Every query that reads account data starts from `scoped_accounts` (ka/sql/scoped_accounts.sql),
so a filter or an access rule added here holds on every page and in every export.
"""

from __future__ import annotations

from dataclasses import dataclass

from ka import db
from ka.periods import Period


@dataclass(frozen=True)
class Scope:
    """Account filters; an empty tuple means "all". Hashable, so it can key st.cache_data."""

    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    account_ids: tuple[str, ...] | None = None  # an explicit account list (e.g. a tier), None = no limit

    def params(self) -> dict:
        return {
            "regions": list(self.regions) or None,
            "industries": list(self.industries) or None,
            "managers": list(self.managers) or None,
            "account_ids": list(self.account_ids) if self.account_ids is not None else None,
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.regions or self.industries or self.managers or self.account_ids is not None)


ALL = Scope()


def scoped_sql(name: str, **fragments: str) -> str:
    """Load ka/sql/<name>.sql with the shared `scoped_accounts` fragment filled in."""
    return db.load_sql(name, {"scoped_accounts": db.load_sql("scoped_accounts"), **fragments})


# Account × month rows of a period, from the pre-aggregate when the period is whole months,
# else from transactions (same columns). `{p}` is a fixed parameter prefix chosen by the caller.
_MONTHLY_SOURCE = """
    select account_id, month, revenue, cost, revenue_with_cost, orders, lines, products
    from account_month
    where month between ${p}start and ${p}end
"""
_DAILY_SOURCE = """
    select
        account_id,
        date_trunc('month', order_date)::date                      as month,
        sum(revenue)                                               as revenue,
        sum(cost)                                                  as cost,
        coalesce(sum(revenue) filter (where cost is not null), 0)  as revenue_with_cost,
        count(distinct order_id)                                   as orders,
        count(*)                                                   as lines,
        count(distinct product)                                    as products
    from transactions
    where order_date between ${p}start and ${p}end
    group by all
"""
PARAM_PREFIXES = ("", "prior_", "yoy_")


def period_source(period: Period, prefix: str = "") -> str:
    """SQL for the account × month rows of `period`, bound to parameters $<prefix>start/end."""
    if prefix not in PARAM_PREFIXES:
        raise ValueError(f"unknown parameter prefix {prefix!r}")
    template = _MONTHLY_SOURCE if period.is_month_aligned else _DAILY_SOURCE
    return template.replace("{p}", prefix)


def period_params(period: Period, prefix: str = "") -> dict:
    return {f"{prefix}start": period.start, f"{prefix}end": period.end}
