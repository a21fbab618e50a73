"""A demo portfolio whose names try to script the screen: markdown, Streamlit directives, HTML,
an image link and spreadsheet formulas, brought in through the ordinary imports.

Every page, chart, deck and export must show these values as the characters they are. IMAGE_URL
points at a server the browser test runs; a request to it means a value became an image.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ka import db, demo
from ka.__main__ import main
from ka_testing import SMALL_DEMO


def hostile_names(image_url: str) -> dict[str, dict[str, str]]:
    """account_id → the fields of the accounts master that import gives it."""
    return {
        "KA00001": {"name": "**Bold** Pharma :red[Red] Ltd", "name_en": "**Bold** Pharma :red[Red] Ltd",
                    "manager": "**Boss** :blue[Chen]", "region": "<b>South</b><br>East"},
        "KA00002": {"name": f"![pixel]({image_url}) Image Co", "name_en": f"![pixel]({image_url}) Image Co",
                    "industry": f'<img src="{image_url}">Imaging'},
        "KA00003": {"name": '<b>Tag</b> <a href="http://evil.example/">Link</a> Corp',
                    "name_en": '<b>Tag</b> <a href="http://evil.example/">Link</a> Corp'},
        "KA00004": {"name": '=HYPERLINK("http://evil.example/","Formula") Co',
                    "name_en": '=HYPERLINK("http://evil.example/","Formula") Co',
                    "manager": '=cmd|"/c calc"!A1'},
        "KA00005": {"name": "+SUM(1,2) Plus Ltd", "name_en": "@SUM(1,2) At Ltd", "industry": "-2+3 Minus"},
        "KA00006": {"name": "# Heading $x^2$ &amp; Co", "name_en": "# Heading $x^2$ &amp; Co"},
    }


HOSTILE_CATEGORIES = ('<a href="http://evil.example/">Cat</a> **cat**', "=1+1 Cat")


def visible_texts(image_url: str) -> list[str]:
    """Every hostile value, as a viewer must read it."""
    texts = set(HOSTILE_CATEGORIES)
    for fields in hostile_names(image_url).values():
        texts.update(fields.values())
    return sorted(texts)


def build_hostile_db(path: Path, image_url: str = "http://127.0.0.1:9/pixel.png") -> Path:
    """The small demo portfolio, then an accounts master and a few order lines with hostile names."""
    connection = db.connect(path)
    demo.build_demo(connection, SMALL_DEMO)
    accounts = connection.execute(
        "select account_id, account_name, account_name_en, industry, region, ka_manager from accounts "
        "where account_id in (select unnest(?))", [list(hostile_names(image_url))]).fetchall()
    connection.close()
    folder = path.parent
    master = folder / f"{path.stem}_accounts.csv"
    with master.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "account_name", "account_name_en", "industry", "region", "ka_manager"])
        for account_id, name, name_en, industry, region, manager in accounts:
            fields = hostile_names(image_url)[account_id]
            writer.writerow([account_id, fields.get("name", name), fields.get("name_en", name_en),
                             fields.get("industry", industry), fields.get("region", region),
                             fields.get("manager", manager)])
    lines = folder / f"{path.stem}_lines.csv"
    with lines.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["order_id", "order_date", "account_id", "product", "category", "quantity", "revenue", "cost"])
        for n, (account_id, day, category) in enumerate([
            ("KA00001", "2026-08-12", HOSTILE_CATEGORIES[0]), ("KA00002", "2026-09-03", HOSTILE_CATEGORIES[1]),
            ("KA00001", "2026-10-08", HOSTILE_CATEGORIES[0]),
        ]):
            writer.writerow([f"HOSTILE-{n}", day, account_id, f"=HYPERLINK(\"http://evil.example/\",\"P{n}\")",
                             category, "1", "1000000.00", "400000.00"])
    assert main(["import", "--db", str(path), "--kind", "accounts", str(master)]) == 0
    assert main(["import", "--db", str(path), str(lines)]) == 0
    return path
