"""Times account health on the 10M-row / 5,000-account demo: health as of one month end (warm),
and the full monthly history plus the backtest (cold = first call, then the page caches it).

    python bench/bench_health.py [--db bench/out/demo10m.duckdb] [--runs 7]
"""

from __future__ import annotations

import os
import time

from common import machine, open_benchmark, warm_median_ms


def main() -> None:
    args, con, as_of = open_benchmark(__doc__)
    from ka import health
    from ka.scope import Scope

    lines = con.execute("select count(*) from transactions").fetchall()[0][0]
    data_end = as_of
    config = health.HealthConfig()
    print(f"{lines:,} transaction lines; as of {data_end}; {machine()}; load average {os.getloadavg()[0]:.1f}")

    for name, scope in {"all accounts": Scope(), "one region": Scope(regions=("华东",))}.items():
        ms, _ = warm_median_ms(lambda: health.read_health(con, data_end, scope, config), args.runs)
        print(f"{name}: health as of one month end (inputs for it and the month before, tiers, scores, list) {ms:.0f} ms")

    started = time.perf_counter()
    inputs = health.read_history_inputs(con, Scope())
    inputs_s = time.perf_counter() - started
    history = health.compute_scores(inputs, config)
    scores_s = time.perf_counter() - started - inputs_s
    table, summary = health.compute_backtest(history, health.ChurnRule(), data_end)
    total_s = time.perf_counter() - started
    print(f"full history + backtest, cold: {total_s:.2f} s (inputs {inputs_s:.2f} s, scores {scores_s:.2f} s, "
          f"backtest {total_s - inputs_s - scores_s:.2f} s); {len(history):,} account-month rows, "
          f"{summary['month_ends']} month ends backtested")
    rescore_ms, _ = warm_median_ms(lambda: health.compute_backtest(health.compute_scores(inputs, config),
                                                                    health.ChurnRule(), data_end), 3)
    print(f"new configuration on cached inputs (re-score history + backtest): {rescore_ms:.0f} ms")
    print(table.to_string(index=False))
    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in summary.items()})


if __name__ == "__main__":
    main()
