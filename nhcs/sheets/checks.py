"""A system check: without a CJK font WeasyPrint prints Chinese as empty boxes."""

import shutil
import subprocess

from django.core import checks


@checks.register()
def cjk_font_installed(app_configs=None, **kwargs):
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return [checks.Warning("fontconfig (fc-list) not found; cannot check for a CJK font.", id="sheets.W001")]
    try:
        found = subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        found = ""
    if not found.strip():
        return [
            checks.Warning(
                "No Chinese font is installed: PDF record sheets will print Chinese as boxes.",
                hint="Install fonts-noto-cjk (make setup does).",
                id="sheets.W002",
            )
        ]
    return []
