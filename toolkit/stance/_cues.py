"""The cue words of the stance rules (spaCy lookup lemmas or lower-case tokens), one set per kind.

Each set is named after what it signals; ``toolkit.stance.rules`` names the set that made a
rule fire. Sets marked "(v2)" were extended after reading the errors of the rules on the
``dev`` half of the gold set (``rules_split == "dev"`` of ``arms_stance_v2.csv``); the
``test`` half was not read while they were written.
"""

from __future__ import annotations

_SUPPLY_VERBS = frozenset(
    "supply provide sell deliver send ship give transfer export arm pour offer furnish equip "
    "donate funnel channel smuggle traffic sale".split()
)
#: Nouns that name a supplier ("we are neither manufacturers nor suppliers of ...") (v2).
_SUPPLIER_NOUNS = frozenset("supplier suppliers vendor vendors exporter exporters seller "
                            "sellers".split())
#: Nouns that name a supply ("an alleged shipment of arms") (v2).
_SUPPLY_NOUNS = frozenset("supply supplies shipment shipments sale sales delivery deliveries "
                          "transfer transfers export exports".split())
#: What is supplied: a supply verb counts for the speaker's own supply only when one of
#: these follows it ("we provide military assistance", not "our ability to provide
#: safety") (v2).
_ARMS_OBJECTS = frozenset(
    "weapon weapons weaponry arm arms ammunition munition munitions military equipment "
    "assistance aid support hardware missile missiles tank tanks aircraft materiel supplies "
    "supply squadron troops personnel advisers training gun guns".split()
)
_NEGATIONS = frozenset("not n't never no neither nor none without".split())
_CALL_VERBS = frozenset(
    "call urge appeal ask request demand invite encourage hope want need plead".split()
)
#: Calls whose caller must be the speaker (or nobody named): a third party's appeal
#: ("Armenia appealed to the CSTO for military assistance") is a report (v2).
_SPEAKER_CALLS = frozenset("call urge appeal ask request demand invite plead".split())
_STOP_CUES = frozenset(
    "stop halt cease refrain curb limit reduce condemn deplore denounce oppose "
    "criticize criticise fuel flame excessive illicit illegal destabilize destabilise "
    "escalate escalation prolong aggravate flood profit merchant irresponsible "
    "instead pour smear flow traffic trafficking trafficker smuggle smuggling".split()
)
#: Condemnation and restraint words added in v2: calls to end supplies and evaluative words
#: about others' supplies ("unbridled", "racist regimes", "an obstacle to").
_STOP_CUES_V2 = frozenset(
    "desist cessation terminate suspend restraint concern concerned regret regrettable "
    "deplorable worrying unbridled unrestricted indiscriminate massive obstacle danger "
    "dangerous incite aggressor aggression oppress oppression oppressor racist colonialist "
    "colonialism terrorist terrorists rebel rebels bandit bandits subversion mercenary "
    "mercenaries genocide extermination interference intervention reduction "
    "responsibility".split()
)
_CONTROL_CUES = frozenset(
    "embargo treaty register regulate regulation licence license licensing "
    "legislation dual end-use end-user wassenaar mtcr prudent "
    "norm rule control controls ban prohibit prohibition forbid transparency transparent "
    "reporting criteria convention code sanction moratorium oversight accordance".split()
)
#: Instruments added in v2 ("restrictions on the export", "contrary to Security Council
#: resolutions", "a legal instrument", "supervise the trade", "monitor arms supplies").
_CONTROL_CUES_V2 = frozenset(
    "restriction restrictions restrict restricting resolution resolutions instrument "
    "instruments supervise supervision monitor monitoring ceiling ceilings".split()
)
#: Words that make the speaker's side ban its own supply ("Finland banned arms exports to
#: South Africa") (v2).
_BAN_CUES = frozenset("ban banned bans forbid forbids forbidden prohibit prohibits prohibited "
                      "embargo".split())
_OTHER_AGENTS = frozenset(
    "they them their some certain other others country countries state states power powers "
    "nato west side sides party parties government governments it he she".split()
)
#: Words that deny a claim: "falsely claiming that China might offer weapons".
_DENIAL_CUES = frozenset(
    "disinformation falsely false smear smearing groundless fabricate fabricated rumour rumor "
    "lie lies baseless slander unfounded".split()
)
#: Words that report an accusation without denying it (v2): the speaker's supply inside an
#: allegation is not a supply stance.
_ALLEGATION_CUES = frozenset("allegation allegations alleged accuse accuses accused accusation "
                             "claim claims claiming veracity".split())
#: Aid received, not given or asked for (v2).
_RECEIPT_CUES = frozenset("receive received receiving".split())
#: Answering a call for aid ("responded to appeals from South Viet-Nam for military
#: assistance") (v2).
_RESPONSE_VERBS = frozenset("respond responded answer answered".split())
#: Verbs by which a question reports the speaker's stated position ("China has repeatedly
#: stated that it will not ...") (v2).
_POSITION_VERBS = frozenset("state stated say said reiterate reiterated make made".split())
_AID_NOUNS = frozenset("aid assistance support".split())
_AID_MODIFIERS = frozenset("military security lethal defence defense".split())
_CLAUSE_BREAKS = frozenset({",", ";", ":", "but", "while", "whereas", "and", "."})
#: Words before "control" that make it a different sense ("under international control" of
#: disarmament, "seized control of the economy") (v2).
_NOT_CONTROL = frozenset("international seized seize take took under".split())
#: Words before "need" that make it a noun ("social needs", "without need of") (v2).
_NOUN_MARKERS = frozenset("the a an its their his her our my social without of no basic "
                          "these those such".split())
_DETERMINERS = frozenset("the a an of its their his her this that these those".split())
_NEG_SCOPE = 8  # tokens between a negation and the supply verb it scopes over
