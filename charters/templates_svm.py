"""The UK Social Value Model (PPN 06/20) as a charter template: its themes and policy outcomes.

Crown copyright, Open Government Licence v3.0: see charters/data/README.md.
"""

import json
from functools import cache
from pathlib import Path

SVM_FILE = Path(__file__).resolve().parent / "data" / "uk-social-value-model-ppn-06-20.json"


@cache
def social_value_model() -> dict:
    return json.loads(SVM_FILE.read_text(encoding="utf-8"))


def template_themes() -> list[dict]:
    """[{"title", "description", "outcomes": [{"title", "description"}]}] in the model's order."""
    themes = []
    for theme in social_value_model()["themes"]:
        outcomes = [
            {
                "title": outcome["name"],
                "description": outcome.get("mac_text") or "; ".join(outcome.get("summary_bullets", [])),
            }
            for outcome in theme["policy_outcomes"]
        ]
        themes.append(
            {"title": theme["name"], "description": theme.get("why_priority_excerpt", ""), "outcomes": outcomes}
        )
    return themes
