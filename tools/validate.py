"""Run ``rasa data validate`` and fail on any warning that is not explained here.

Rasa's validator cannot see responses that custom actions send by name, so it warns that
they are "not used in any story or rule". Each such response must be accounted for below,
from the actions' own code; any other warning fails the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from actions.fallback import OPTION_PREFIX
from bot.fallback import problem_response
from bot.handoff.notices import NOTICES
from bot.input_guard import InputProblem
from bot.settings import PROJECT_ROOT
from tools.train import TRAINING_DATA

_UNUSED_RE = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
_LITERAL_RE = re.compile(r"""response=["'](utter_\w+)["']""")
_WARNING_RE = re.compile(r"UserWarning: (.*)")

# Responses used by Rasa's own default actions, which the validator does not count.
RASA_DEFAULT_RESPONSES = {
    "utter_ask_rephrase": "Rasa's action_default_ask_rephrase (two-stage fallback)",
}


def explained_responses(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Map each response sent from custom actions (or Rasa defaults) to where it is used."""
    responses = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))["responses"]
    why = dict(RASA_DEFAULT_RESPONSES)
    for problem in InputProblem:
        why[problem_response(problem)] = "actions/fallback.py: reply to unusable input"
    why["utter_action_failed"] = "bot/rasa_ext/patches/action_failures.py: a custom action failed"
    for notice in NOTICES:
        why[f"utter_handoff_{notice}"] = "bot/handoff/notices.py: the service sends it"
    for name in responses:
        if name.startswith(OPTION_PREFIX):
            why[name] = "actions/fallback.py: button label of a fallback option"
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    for form, spec in (domain.get("forms") or {}).items():
        for slot in spec.get("required_slots") or []:
            if f"utter_ask_{slot}" in responses:
                why[f"utter_ask_{slot}"] = f"form {form}: Rasa asks the slot {slot} with it"
    for source in sorted((root / "actions").glob("*.py")):
        for name in _LITERAL_RE.findall(source.read_text(encoding="utf-8")):
            why[name] = f"actions/{source.name}"
    return why


def unexplained_warnings(output: str, explained: dict[str, str]) -> list[str]:
    """Return the validator's warnings that ``explained`` does not account for."""
    problems = []
    for warning in _WARNING_RE.findall(output):
        unused = _UNUSED_RE.search(warning)
        if unused and unused.group(1) in explained:
            continue
        problems.append(warning.strip())
    return problems


def main() -> int:
    """Validate the training data; exit 1 on an error or an unexplained warning."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--data", *TRAINING_DATA],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = proc.stdout + proc.stderr
    problems = unexplained_warnings(output, explained_responses())
    for problem in problems:
        print(f"unexplained warning: {problem}", file=sys.stderr)
    if proc.returncode != 0:
        print(output[-4000:], file=sys.stderr)
        print(f"rasa data validate failed with exit code {proc.returncode}", file=sys.stderr)
    ok = proc.returncode == 0 and not problems
    print("training data valid" if ok else "training data NOT valid")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
