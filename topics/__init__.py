"""Topics: a small taxonomy of union education, assigned by named, transparent rules.

    >>> from topics import assign_topics
    >>> assign_topics(None, "Steward Learning Series", "Good grievance handling means ...", [])
    [('stewarding and grievances', 'programme:steward')]

See docs/topics.md for the taxonomy, every rule and why it is there.
"""
from topics.rules import FALLBACK_RULE, RULES, TOPICS, Rule, assign_topics, passing_spans

__all__ = ["FALLBACK_RULE", "RULES", "TOPICS", "Rule", "assign_topics", "passing_spans"]
