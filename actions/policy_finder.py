"""The policy finder form (惠企政策匹配): Rasa glue around bot.kb.finder.

「我们能享受哪些政策？」 → action_start_policy_finder (keeps what the question already says) →
policy_finder_form (one question per step of policies_kb/finder.yml, each skippable) →
action_list_matching_policies.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.buttons import label_buttons
from actions.policy_qa import choice_payload, entity_value
from bot.kb.finder import (
    NONE,
    Reading,
    asks_for_past,
    decode_profile,
    encode_profile,
    find,
    left_out_line,
    matches_payload,
    matches_text,
    profile_labels,
    read_answer,
)
from bot.kb.finder_config import FinderConfig, Step, load_config
from bot.kb.glossary import KB_DIR
from bot.kb.holder import stored_index
from bot.kb.wording import format_strings

FORM = "policy_finder_form"
CANCELLED_SLOT = "finder_cancelled"
PAST_SLOT = "finder_include_past"
PAST_ENTITY = "finder_past"
SKIPPED = "skip"
MAX_BUTTONS = 8


@cache
def config() -> FinderConfig:
    """Load the finder steps once per action server."""
    return load_config(KB_DIR)


def slot_name(step: Step) -> str:
    """Return the slot holding the answer to `step`."""
    return f"finder_{step.key}"


def _stored(step: Step, value: Any) -> str | None:
    """`value` if it already is a stored answer (codes joined by commas, or "skip")."""
    if not isinstance(value, str):
        return None
    if value == SKIPPED:
        return value
    codes = value.split(",")
    valid = step.codes() | ({NONE} if step.multiple else set())
    return value if codes and set(codes) <= valid else None


def profile(tracker: Tracker) -> dict[str, tuple[str, ...]]:
    """Return the answered steps: step key → chosen codes (skipped steps left out)."""
    result = {}
    for step in config().steps:
        value = _stored(step, tracker.get_slot(slot_name(step)))
        if value and value != SKIPPED:
            result[step.key] = tuple(value.split(","))
    return result


class ActionStartPolicyFinder(Action):
    """Start afresh, keeping what the opening question already says (「我们是餐饮小微企业」)."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_start_policy_finder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reset the finder slots and fill those the message answers."""
        text = str((tracker.latest_message or {}).get("text") or "")
        again = entity_value(tracker, PAST_ENTITY)
        if again is not None:
            # The 「往年的政策」 button under a list: the same answers, past measures included.
            before = decode_profile(again, config())
            return [
                SlotSet(CANCELLED_SLOT, False),
                SlotSet(PAST_SLOT, True),
                *(
                    SlotSet(slot_name(s), ",".join(before[s.key]) if s.key in before else SKIPPED)
                    for s in config().steps
                ),
            ]
        events: list[dict[str, Any]] = [
            SlotSet(CANCELLED_SLOT, False),
            SlotSet(PAST_SLOT, asks_for_past(text, config())),
        ]
        for step in config().steps:
            answer = read_answer(step, text, config()) if not text.startswith("/") else None
            known = (
                answer is not None
                and answer.reading is Reading.CHOSEN
                and NONE not in answer.codes
                and not text.strip().isdigit()
            )
            value = ",".join(answer.codes) if known and answer else None
            events.append(SlotSet(slot_name(step), value))
        dispatcher.utter_message(response="utter_finder_intro")
        return events


class ValidatePolicyFinderForm(FormValidationAction):
    """Read each typed or pressed answer; "跳过" skips a step, "取消" ends the finder."""

    def name(self) -> str:
        """Name Rasa derives from the form's name."""
        return f"validate_{FORM}"

    def _read(
        self, key: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        step = config().step(key)
        if value is None:
            # The start action's reset, not an answer (rasa-sdk validates every slot event).
            return {slot_name(step): None}
        stored = _stored(step, value)
        if stored is not None:
            return {slot_name(step): stored}
        answer = read_answer(step, str(value or ""), config())
        if answer.reading is Reading.CHOSEN:
            return {slot_name(step): ",".join(answer.codes)}
        if answer.reading is Reading.SKIPPED:
            return {slot_name(step): SKIPPED}
        if answer.reading is Reading.CANCELLED:
            # Fill every open step so the form ends; the list action sees the flag.
            filled: dict[str, Any] = {
                slot_name(s): SKIPPED
                for s in config().steps
                if tracker.get_slot(slot_name(s)) is None or s.key == key
            }
            return {**filled, CANCELLED_SLOT: True}
        dispatcher.utter_message(response="utter_finder_unclear")
        return {slot_name(step): None}


def _step_validator(key: str) -> Any:
    async def validate(
        self: ValidatePolicyFinderForm,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return self._read(key, value, dispatcher, tracker)

    validate.__doc__ = f"Read the answer to the {key} step."
    return validate


# rasa-sdk calls validate_<slot> for each slot the message filled: one per finder step.
for _step in config().steps:
    setattr(ValidatePolicyFinderForm, f"validate_{slot_name(_step)}", _step_validator(_step.key))


def _ask_action(key: str) -> type[Action]:
    """Build the `action_ask_finder_<key>` action: the step's question, options as buttons.

    The questions and options live in policies_kb/finder.yml (staff edit them there), so they
    are asked by actions rather than duplicated as domain responses.
    """

    async def run(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        step = config().step(key)
        skip = config().skip_words[0]  # the skip button (policies_kb/finder.yml)
        buttons = label_buttons([*(o.label for o in step.options), skip])
        dispatcher.utter_message(text=step.question, buttons=buttons)
        return []

    def name(self: Action) -> str:
        return f"action_ask_finder_{key}"

    return type(f"ActionAskFinder{key.title()}", (Action,), {"name": name, "run": run})


ASK_ACTIONS = [_ask_action(step.key) for step in config().steps]


class ActionListMatchingPolicies(Action):
    """List the entries that fit the answers, one line and a citation each."""

    def name(self) -> str:
        """Name used in rules and the domain."""
        return "action_list_matching_policies"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the list (or say why there is none) and clear the answers."""
        reset = [SlotSet(slot_name(s), None) for s in config().steps]
        reset += [SlotSet(CANCELLED_SLOT, False), SlotSet(PAST_SLOT, False)]
        if tracker.get_slot(CANCELLED_SLOT):
            dispatcher.utter_message(response="utter_finder_cancelled")
            return reset
        answers = profile(tracker)
        # Measures of a past period (2020 epidemic, ...) only when asked for, else counted.
        include_past = bool(tracker.get_slot(PAST_SLOT))
        matches, left_out = find(stored_index().index.entries, answers, config(), include_past)
        past_button = [
            {
                "title": format_strings()["finder_past_button"],
                "payload": f'/find_policies{{"{PAST_ENTITY}": "{encode_profile(answers) or "-"}"}}',
            }
        ]
        if not matches:
            dispatcher.utter_message(response="utter_finder_none")
            if left_out:
                dispatcher.utter_message(text=left_out_line(left_out), buttons=past_button)
            return reset
        labels = profile_labels(answers, config())
        buttons = [
            {"title": m.entry.title, "payload": choice_payload(m.entry)}
            for m in matches[:MAX_BUTTONS]
        ]
        text = matches_text(matches, labels, left_out=left_out)
        dispatcher.utter_message(text=text, buttons=buttons + (past_button if left_out else []))
        dispatcher.utter_message(json_message=matches_payload(matches, answers))
        return reset
