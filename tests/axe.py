"""axe-core (npm, pinned in package-lock.json) run on a page the browser tests have open.

`axe_serious(tab)` returns the serious and critical WCAG 2.1 A/AA violations of the page as it is, one line
each (rule, impact, the first offending elements), so a failing assertion says what to fix. The script is
evaluated through Playwright (the DevTools protocol), which the site's Content-Security-Policy does not
govern: no inline script is added to the page.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_available() -> bool:
    return AXE.exists()


def axe_serious(tab) -> list[str]:
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text())
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found
