"""The taxonomy and its rules. docs/topics.md explains each one; keep the two in step.

How a course gets its topics (``assign_topics``):

1. *Programme rules* look at the programme (series) alone: a course of CUPE's Steward
   Learning Series is about stewarding, whatever else it touches.
2. *Text rules* look for keywords in the title, the description and the bullets. A
   keyword counts wherever it stands in the title; in the description and bullets it
   does not count when it is only named *in passing*, inside an enumeration (three or
   more short comma-separated items, e.g. "shorter work weeks, health and safety
   legislation, collective bargaining rights, ..."): such a list says what a course
   mentions, not what it teaches.
3. A course that no rule matches gets the *fallback*: union basics (general union
   education), by the rule ``fallback:union-basics``.

A course may have several topics. For each topic the first rule that fired (in the
order of ``RULES``: programme rules first) is the one reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# topic -> what it covers. The order is the order of reports and of topic_comparison.
TOPICS: dict[str, str] = {
    "bargaining": "Preparing for and conducting collective bargaining; mobilising for it; strikes and picket lines.",
    "stewarding and grievances": "The steward's job: representing members, workplace problems, grievances, "
                                 "discipline, arbitration, interpreting the collective agreement.",
    "health and safety": "Occupational health and safety: hazards, injuries, violence, mental health at work, "
                         "health and safety committees and law.",
    "equity and human rights": "Equality and human rights: racism, sexism, homophobia and transphobia, "
                               "Indigenous solidarity, disability and accommodation, harassment and bullying.",
    "local leadership and finances": "Running a local: its executive and officers, meetings and rules of order, "
                                     "minutes, bylaws, planning, finances, trustees and audits.",
    "political action and communications": "Politics and campaigns: elections, lobbying, privatization, trade, "
                                           "organising; and communications: writing, social media, public speaking.",
    "union basics": "What a union is and how it works: introductions for members, union structure and "
                    "democracy, labour history. Also the fallback for a course no other rule places.",
}

FALLBACK_TOPIC = "union basics"
FALLBACK_RULE = "fallback:union-basics"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    topic: str
    field: str  # "series" (the programme alone) or "text" (title, description, bullets)
    pattern: str
    why: str

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    rx = _CACHE.get(pattern)
    if rx is None:
        rx = _CACHE[pattern] = re.compile(pattern)  # the texts are lower-cased once, before matching
    return rx


RULES: list[Rule] = [
    # --- programme (series) rules -------------------------------------------------------
    Rule("programme:bargaining", "bargaining", "series", r"\bbargaining\b",
         "CUPE's Bargaining Program: every module prepares for or supports bargaining."),
    Rule("programme:steward", "stewarding and grievances", "series", r"\bsteward",
         "CUPE's Steward Learning Series."),
    Rule("programme:health-and-safety", "health and safety", "series", r"\bhealth\s*(?:&|and)\s*safety\b",
         "CUPE's Health & Safety Learning Series."),
    Rule("programme:local-executive", "local leadership and finances", "series", r"\blocal executive\b",
         "CUPE's Local Executive Training."),
    # --- text rules: title, description, bullets -----------------------------------------
    Rule("text:bargaining", "bargaining", "text",
         r"\bbargain(?:ing)?\b|\bnegotiat(?:e|es|ing|ion|ions)\b|\bnegotiating team\b",
         "Bargaining or negotiation named outside an enumeration."),
    Rule("text:strike-picket", "bargaining", "text", r"\bstrikes?\b|\bpicket(?:s|ing)?\b|\blockouts?\b",
         "Strikes, lockouts and picket lines are the sharp end of bargaining."),
    Rule("text:steward", "stewarding and grievances", "text", r"\bstewards?\b|\bstewarding\b",
         "The course names stewards or stewarding."),
    Rule("text:grievance", "stewarding and grievances", "text",
         r"\bgrievances?\b|\barbitrations?\b|\bdiscipline\b|\bduty of fair representation\b"
         r"|\brepresent(?:ing)?\s+(?:the\s+)?members\b|\bworkplace problems\b",
         "Grievances, arbitration, discipline, representing members."),
    Rule("text:contract-interpretation", "stewarding and grievances", "text",
         r"\binterpret\w*\b.{0,40}\b(?:collective agreement|contract)\b|\bcontract interpretation\b",
         "Reading and interpreting the collective agreement is the steward's daily work."),
    Rule("text:health-and-safety", "health and safety", "text",
         r"\bhealth\s*(?:&|and)\s*safety\b|\boccupational health\b|\bhazards?\b|\binjur(?:y|ies)\b"
         r"|\bright to refuse\b|\bergonomic|\bmusculoskeletal\b|\bpsychosocial\b|\btoxic\b"
         r"|\bviolence in the workplace\b|\bworkplace violence\b",
         "Health and safety, hazards, injuries, violence at work."),
    Rule("text:equity", "equity and human rights", "text",
         r"\bequity\b|\bequality\b|\binequality\b|\bhuman rights\b|\bdiscriminat\w*|\bracism\b|\bracial\b"
         r"|\bsexism\b|\bhomophobia\b|\btransphobia\b|\bindigenous\b|\bcolonialism\b|\bdisabilit(?:y|ies)\b"
         r"|\baccommodat\w*|\boppression\b|\binclusive\b|\bgender\b|\bwomen\b|\ba good ally\b|\ban ally\b",
         "Equality, discrimination, the groups it targets, accommodation, allyship."),
    Rule("text:harassment-bullying", "equity and human rights", "text", r"\bharassment\b|\bbullying\b",
         "Harassment and bullying: treated as human-rights matters (a choice; see docs/topics.md)."),
    Rule("text:finances", "local leadership and finances", "text",
         r"\bfinanc(?:e|es|ial)\b|\bbudget\w*|\btreasurers?\b|\bsecretary-treasurers?\b|\btrustees?\b"
         r"|\bbookkeeping\b|\baudit\w*|\bledger\b",
         "A local's money: finances, budgets, treasurers, trustees, audits."),
    Rule("text:local-leadership", "local leadership and finances", "text",
         r"\bleadership\b|\blocal (?:union )?leaders\b|\belected (?:officers?|position)\b|\bexecutives\b"
         r"|\bexecutive teams?\b|\bon an executive\b|\brecording secretar(?:y|ies)\b|\bchair(?:ing|s)?\b"
         r"|\brules of order\b|\bparliamentary procedure\b|\bbylaws?\b|\bconstitution\b"
         r"|\bstrategic planning\b|\bmeeting minutes\b",
         "Running a local: leadership, officers, executives as a team, chairing, bylaws, planning. "
         "'the local executive' alone names an audience, not a topic, and does not count."),
    Rule("text:political-action", "political action and communications", "text",
         r"\bpolitic(?:s|al|ians?)\b|\blobby(?:ing)?\b|\belections?\b|\bcampaigns?\b|\bprivatization\b"
         r"|\bcontracting[- ]out\b|\btrade (?:deals|agreements)\b|\bsolidarity actions?\b|\bcollective power\b"
         r"|\borganiz(?:e|ing)\b.{0,30}\b(?:co-?workers|colleagues)\b",
         "Politics, elections, lobbying, campaigns, privatization, trade, organising co-workers."),
    Rule("text:communications", "political action and communications", "text",
         r"\bcommunications\b|\bwritten word\b|\bclear writing\b|\bsocial media\b|\bfacebook\b|\bspeak(?:ing)? up\b"
         r"|\bpublic speaking\b|\bspeech(?:es)?\b|\bnewsletters?\b",
         "Union communications: writing, social media, speaking in public. 'communication skills' "
         "(singular, interpersonal) does not count."),
    Rule("text:union-basics", "union basics", "text",
         r"\bnew members\b|\bhow the union (?:works|is structured)\b|\bintroduction to (?:your|the) union\b"
         r"|\bintroduction to (?:aupe|cupe)\b|\blabou?r history\b|\bhistory of (?:unions|workers)\b"
         r"|\b(?:cupe|aupe|union) structure\b|\bvalues and principles of the labou?r movement\b"
         r"|\bhow decisions are made\b",
         "Introductions for members, how the union is structured and decides, labour history."),
]

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_SEGMENT = re.compile(r"[^,;:]+")
_WORD = re.compile(r"\w+")
_MAX_ITEM_WORDS = 6
_MIN_ITEMS = 3


def passing_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of enumerations in `text`: runs of three or more consecutive
    comma-, semicolon- or colon-separated segments of at most six words each, within one
    sentence. A keyword inside one is named in passing and does not count."""
    spans = []
    for sentence in _SENTENCE.finditer(text):
        segments = [(m.start() + sentence.start(), m.end() + sentence.start(), len(_WORD.findall(m.group())))
                    for m in _SEGMENT.finditer(sentence.group())]
        run: list[tuple[int, int, int]] = []
        for seg in segments + [(0, 0, _MAX_ITEM_WORDS + 1)]:  # sentinel closes the last run
            if 0 < seg[2] <= _MAX_ITEM_WORDS:
                run.append(seg)
                continue
            if len(run) >= _MIN_ITEMS:
                spans.append((run[0][0], run[-1][1]))
            run = []
    return spans


def _counts(rx: re.Pattern, text: str, passing: list[tuple[int, int]]) -> bool:
    for m in rx.finditer(text):
        if not any(a <= m.start() < b for a, b in passing):
            return True
    return False


def assign_topics(title: str | None, series: str | None, description: str,
                  bullets: list[str]) -> list[tuple[str, str]]:
    """(topic, rule name) pairs for one course, in the order of TOPICS; never empty.

    One pair per topic: the first rule in RULES that fired for it.
    """
    # Description and bullets as one text, a line each (a sentence never spans two lines),
    # lower-cased once so the rules match without IGNORECASE.
    body = "\n".join([description or "", *(bullets or [])]).lower()
    prepared = [(body, passing_spans(body))]
    if title:
        prepared.insert(0, (title.lower(), []))  # a title names the subject: no enumeration test
    series = series.lower() if series else series
    found: dict[str, str] = {}
    for rule in RULES:
        if rule.topic in found:
            continue
        if rule.field == "series":
            hit = bool(series) and rule.regex.search(series) is not None
        else:
            hit = any(_counts(rule.regex, text, passing) for text, passing in prepared)
        if hit:
            found[rule.topic] = rule.name
    if not found:
        found[FALLBACK_TOPIC] = FALLBACK_RULE
    return [(topic, found[topic]) for topic in TOPICS if topic in found]
