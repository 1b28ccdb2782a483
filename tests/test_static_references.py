"""Every static file a template links to exists (a moved or deleted script fails here, not silently
in a browser)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"""url_for\(\s*['"]([\w.]*static)['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]""")


def test_templates_link_only_to_static_files_that_exist(app):
    missing = []
    for template in sorted(ROOT.glob("*/templates/**/*.html")):
        for endpoint, filename in LINK.findall(template.read_text(encoding="utf-8")):
            owner = app if endpoint == "static" else app.blueprints[endpoint.removesuffix(".static")]
            if not (Path(owner.static_folder) / filename).is_file():
                missing.append(f"{template.relative_to(ROOT)}: {endpoint} {filename}")
    assert missing == []
