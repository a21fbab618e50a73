"""`python -m ka qbr`: a review deck as a PPTX or PDF file.

Exit 0 when the file is written; 2, with the reason on stderr in the chosen language, for an
unknown account, manager or period (or a PDF without a CJK font). Nothing is written then.
"""

from __future__ import annotations

import time
from pathlib import Path

from ka import cli_access, db, i18n, qbr
from ka.scope import Scope


def render(deck: qbr.Deck, fmt: str) -> bytes:
    if fmt == "pdf":
        from ka.qbr.pdf_render import render_pdf

        return render_pdf(deck)
    from ka.qbr.pptx_render import render_pptx

    return render_pptx(deck)


def command_qbr(args) -> int:
    path = db.db_path_from_env(args.db)
    with i18n.use_language(args.lang):
        if not path.exists():
            raise qbr.RequestError("qbr.error.no_database", path=str(path))
    started = time.perf_counter()
    con = db.open(path)  # the published version, read-only: works while the app serves and imports publish
    try:
        kind = "account" if args.account else "manager" if args.manager else "portfolio"
        _, scope = cli_access.acting_scope(args, Scope(regions=tuple(args.region or ()), industries=tuple(args.industry or ())))
        request = qbr.make_request(con, kind, account_id=args.account, manager=args.manager, period=args.period,
                                   audience=args.audience, language=args.lang, scope=scope)
        deck = qbr.build_deck(con, request)
        data = render(deck, args.format)
    finally:
        con.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    cli_access.record(args, "qbr_export", review=kind, account=args.account, manager=args.manager,
                      period=qbr.period_text(request.period), audience=args.audience, format=args.format)
    print(f"{out} · {len(deck.slides)} slides · {len(data) / 1024:,.0f} KB · {time.perf_counter() - started:.1f} s")
    return 0


def add_commands(commands) -> None:
    command = commands.add_parser("qbr", help="write a business review deck (PPTX or PDF)")
    command.add_argument("--db", help="database file (default: KA_RADAR_DB or data/ka_radar.duckdb)")
    subject = command.add_mutually_exclusive_group(required=True)
    subject.add_argument("--account", metavar="ID", help="account QBR of this account ID")
    subject.add_argument("--manager", metavar="NAME", help="KA manager review of this manager's book")
    subject.add_argument("--portfolio", action="store_true", help="portfolio review (with --region / --industry filters)")
    command.add_argument("--period", help="2026-Q3, 2026-09 or 2026 (default: the latest complete quarter)")
    command.add_argument("--audience", choices=list(qbr.AUDIENCES), default="internal",
                         help="customer: leaves out everything internal (account QBR only)")
    command.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT_LANGUAGE)
    command.add_argument("--as-user", metavar="NAME", help="a deck of only what this user may see (automation)")
    command.add_argument("--region", action="append", help="portfolio: only this region (repeatable)")
    command.add_argument("--industry", action="append", help="portfolio: only this industry (repeatable)")
    command.add_argument("--format", choices=["pptx", "pdf"], required=True)
    command.add_argument("--out", required=True, metavar="FILE")
    command.set_defaults(handler=command_qbr)
