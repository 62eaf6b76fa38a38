"""Take out what a ticket says to the classifier, so that priority comes from what it describes.

Requesters file their own tickets, and a priority the text can demand is one the desk can be
made to work by. Before any feature is computed (in training and at run time alike, through
`features.extract`), the text goes through three steps:

1. Disguises are folded back to plain letters: compatibility forms such as full-width letters
   (NFKC), invisible format characters (zero-width spaces, soft hyphens, direction marks),
   Cyrillic and Greek look-alikes inside Latin words, accents, digits and symbols standing in
   for letters in the words watched for (`cr1t1cal`, `pr!or!ty`), letters spelt out one by one
   (`C-R-I-T-I-C-A-L`, `u r g e n t`) and stretched letters (`urgeeent`).
2. What is addressed to a model rather than to the desk is dropped: fake conversation turns
   (`SYSTEM:`, `<|im_start|>system`, `[INST]`, `### System`), markup and comments that carry
   labels or instructions, pasted JSON or YAML with label keys, delimiter escapes
   (`</ticket>`, `END OF TICKET`), override instructions ("ignore previous instructions",
   "you are now", "from now on always"), label assignments ("priority: critical", "mark this
   as urgent", "top priority", "severity one") and claims of rank ("as the head of support",
   "I am the CEO").
3. The demand vocabulary itself (urgent, critical, asap, emergency, immediately, priority,
   escalate, and their French, German, Spanish, Italian, Portuguese, Dutch and Polish
   counterparts) is removed wherever it stands, so shouting or repeating it adds nothing.

What is left is what the ticket describes: an outage, who is affected, money, a breach, a
deadline and what missing it costs. A genuine outage that also says "critical" keeps all of
that. Steps 2 and 3 only remove text. The patterns are written so that no input makes them
backtrack without bound: a typical ticket costs about a millisecond, and no text of the input cap
(4,000 characters) more than a few tens of milliseconds.
"""

import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones; mapped only inside words that also
# contain Latin letters, so Russian or Greek text itself is left alone.
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХУІЈЅаеорсухіјѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχ",
    "ABEKMHOPCTXYIJSaeopcyxijsdhlqwABEZHIKMNOPTYXaikvoptux",
)
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z]")
_LEET_CHARS = "0134578@$!|+"
_LEET = str.maketrans(_LEET_CHARS, "oieastbasilt")
_LEET_TOKEN = re.compile(r"(?<![\w@$!|+])(?=[\w@$!|+]*[a-z])[\w@$!|+]*[0-9@$!|+][\w@$!|+]*", re.I)
_LETTER = r"[^\W\d_]"
_SPELT_OUT = re.compile(
    rf"(?<!{_LETTER}){_LETTER}([ .\-_*/·|]){_LETTER}(?:\1{_LETTER}){{2,}}(?!{_LETTER})"
)
_SEPARATORS = re.compile(r"[ .\-_*/·|]")
_STRETCHED = re.compile(rf"({_LETTER})\1{{2,}}", re.I)

# Demand words, folded (no accents, any case): they ask for a priority and describe nothing.
_DEMAND = (
    r"urgent(?:ly|e|es|issim[oa]|isim[oa])?|urgency|urgence|urgencia|asap|emergenc(?:y|ies|ia)"
    r"|emergenza|notfall|critical(?:ly)?|critique|crit|critic[oa]|kritisch|kritiek|krytyczn[ya]"
    r"|kritisk|immediate(?:ly)?|immediatement|inmediatamente|imediatamente|immediatamente"
    r"|onmiddellijk|sofort|subito|umgehend|dringend|dringlich|eilig|eilt|spoed|pilne|pilny|akut"
    r"|bradskande|priorit(?:y|ies|ise|ize|ised|ized|isation|ization|aire|e|at|a|eit|et)"
    r"|prioridade?|priorytet|prio|escalat(?:e|ed|es|ing|ion)|important|importance|wichtig"
    r"|highest|blocker|showstopper|attention|p[0-4]|sev[0-4]|severity|sev"
)
_DEMAND_PHRASES = (
    r"as (?:soon|fast|quickly) as (?:possible|you can)|right now|right away|straight away"
    r"|at once|without (?:any )?delay|this (?:instant|minute)"
    r"|(?:a )?matter of life (?:and|or) death|life (?:and|or) death|tout de suite"
    r"|au plus vite|so schnell wie moglich|schnellstmoglich|lo antes posible|il prima possibile"
    r"|(?:i|we) (?:demand|insist)"
)
_URGENT_VALUE = (
    r"(?:critical|crit|urgent|highest|high|top|max(?:imum)?|emergency|blocker|p[0-4]"
    r"|sev(?:erity)?[ -]?(?:[0-4]|one|zero)|vip)"
)
_VALUE = (
    rf"(?:{_URGENT_VALUE}|[0-4]|one|zero|low|medium|normal|null|billing|technical|account"
    r"|general)"
)
_LABEL_KEY = (
    r"(?:priority|prio|severity|sev|urgency|importance|category|classification|escalation"
    r"|escalate|sla|override)"
)
_LABEL_FIELD = rf"(?:{_LABEL_KEY}|impact|label|tier|level)"
_ROLE = (
    r"(?:ceo|cto|cfo|coo|cio|ciso|president|vice president|vp|director|head|manager|chief"
    r"|owner|founder|executive|boss|administrator|admin|developer|supervisor|board member"
    r"|chairman|chairwoman|investor|lawyer|attorney|vip|premium|platinum|gold|enterprise"
    r"|(?:biggest|best|largest|most important|top|key|loyal) (?:customer|client|account))"
)
_MODEL = r"(?:ai|a\.i\.|assistant|bot|chatbot|model|llm|gpt|classifier|system|triage(?: \w+)?)"
_SENTENCE_REST = r"[^.!?;\n]*"
# What makes a fake turn an instruction rather than a field such as "System: Windows 11".
_INSTRUCTION = re.compile(
    rf"\b(?:{_DEMAND}|{_URGENT_VALUE}|must|always|never|ignore|answer|respond|reply|output"
    r"|return|classif\w*|label\w*|categor\w*|mark\w*|rate|approved|instruct\w*|rules?)\b",
    re.I,
)

_DOTALL = re.I | re.S
_BLOCKS = [
    re.compile(pattern, flags)
    for pattern, flags in (
        # Chat templates of language models, with a system or assistant turn's content.
        (r"<\|im_start\|>\s*(?:system|assistant)\b.*?(?:<\|im_end\|>|$)", _DOTALL),
        (r"<<\s*sys\s*>>.*?(?:<<\s*/\s*sys\s*>>|$)", _DOTALL),
        (r"<\|[\w\s]{0,20}\|>|\[/?inst\]", re.I),
        # Comments, and tags that carry labels or instructions, with their content.
        (r"<!--.*?(?:-->|$)", _DOTALL),
        (
            r"<(system|instructions?|prompt|assistant|priority|severity|urgency|category"
            r"|classification|label|sla|override|admin|rules?)\b[^>]{0,80}>.{0,400}?"
            r"(?:</\s*\1\s*>|$)",
            _DOTALL,
        ),
        # Objects and bracketed tags whose keys are labels: {"priority": "critical"}.
        (rf"\{{[^{{}}]{{0,400}}\b{_LABEL_KEY}\w*[\"']?\s*[:=][^{{}}]{{0,400}}\}}", re.I),
        (rf"\[\[?[^\[\]\n]{{0,80}}\b{_LABEL_KEY}\w*[\"']?\s*[:=][^\[\]\n]{{0,80}}\]\]?", re.I),
        # A heading of a fake conversation, down to the next heading.
        (rf"^[ \t]*#+[ \t]*{_MODEL}[ \t]*$.*?(?=^[ \t]*#|\Z)", re.I | re.S | re.M),
        (
            r"\b(?:end|start|beginning) of (?:the )?(?:user )?(?:ticket|input|message|text"
            r"|prompt)\b",
            re.I,
        ),
        # The writer's own turn markers in a pasted conversation: scaffolding, not content.
        (r"(?:^|(?<=[\s>\]]))(?:user|human|customer|me)\s*:", re.I | re.M),
    )
]
# A fake turn or a note to the model, to the end of its sentence, when it instructs.
_TURN = re.compile(
    rf"(?:(?<![\w-])(?:#+\s*)?{_MODEL}(?:\s*(?:notes?|messages?|instructions?))?\s*[:>]"
    rf"|\bnote (?:to|for) (?:the )?{_MODEL}\b){_SENTENCE_REST}",
    re.I,
)
_SPANS = [
    re.compile(pattern, re.I | re.M)
    for pattern in (
        # Override instructions and new rules, to the end of their clause.
        r"\b(?:ignor\w*|disregard\w*|forget|vergiss\w*|oubli\w*|olvid\w*|dimentica\w*"
        r"|override|overrule|bypass|skip)\b[^.!?;\n]{0,80}?\b(?:instruc\w*|istruzion\w*"
        r"|anweisung\w*|consignes?|rules?|regles?|reglas?|regeln|regole|prompts?|guidelines?"
        r"|polic(?:y|ies)|defaults?|restrictions?|programming|training|what you (?:were|have"
        r" been) told|everything (?:above|before)|(?:the )?above)\b[^.!?;:\n]*",
        rf"\bnew (?:rules?|instructions?|orders?|task)\b{_SENTENCE_REST}",
        r"\b(?:system|admin|administrator|priority|triage|classifier) override\b(?:\s+(?:code"
        r"|mode|key|token))?(?:\s+[\w-]+)?\s*[:=]?",
        r"\b(?:you are now|you're now|from now on|pretend (?:to be|you are|that)|act as"
        r"|you (?:must|will|shall|should) (?:always|now|only)|let'?s play a game|role-?play"
        r"|always (?:answer|respond|rate|reply|return|output|classify|mark|say))\b"
        rf"{_SENTENCE_REST}",
        r"\b(?:this )?(?:ticket|request|message|case) (?:has been|was|is) (?:pre-?)?"
        rf"(?:approved|authori[sz]ed|flagged|marked|classified)\b{_SENTENCE_REST}",
        # Instructions to classify: "mark this as critical", "escalate to P1".
        r"\b(?:please )?(?:set|mark|classify|classified|label|labelled|labeled|tag|flag|file"
        r"|rate|treat|treated|escalate|escalated|handle|handled|put|make|categori[sz]e"
        r"|categori[sz]ed|assign|consider|answer|respond|output|return|reply|record|route|move"
        r"|bump|raise|upgrade|bearbeiten|traitez|traiter)\b(?:\s+(?:this|it|the ticket"
        r"|this ticket|my ticket|my request|tickets?|everything|all tickets|me|us|them))?"
        r"(?:\s*(?:(?:as|with|to|at)\b|[=:]))?"
        rf"(?:\s+(?:a|an|the|very|most|absolute)\b)*\s*{_URGENT_VALUE}\b",
        # Label assignments: "priority: critical", "severity one", "critical priority".
        rf"\b{_LABEL_KEY}\b(?:\s*(?:level|class)\b)?(?:\s*(?:[:=]+|(?:is|to|as|of)\b))?"
        rf"(?:\s*[\"'(\[])?\s*{_VALUE}\b[\"')\]]?",
        rf"\b(?:impact|label|tier|level)\s*[:=]\s*[\"'(\[]?\s*{_URGENT_VALUE}\b",
        rf"\b{_URGENT_VALUE}(?:\s*-)?\s*(?:priority|prio|severity|urgency|importance|handling"
        r"|treatment|escalation|attention)\b",
        # A form-like field with a short value, on its own line or between bars: "Impact: ALL
        # USERS | ..." claims an impact without describing one.
        rf"(?:^|\|)[ \t]*(?:[-*][ \t]*)?[\"']?{_LABEL_FIELD}[\"']?[ \t]*[:=][ \t]*[\"']?"
        r"[\w'-]+(?:[ \t]+[\w'-]+){0,2}[\"']?[ \t]*(?=\||$)",
        r"\b(?:top|front|head|start|first) (?:of|in) (?:the |your )?(?:queue|list|pile|line)\b",
        # Claims of rank: only the claim goes, the rest of the sentence stays.
        r"\b(?:as|i am|i'm|im|this is|speaking as|message from|on behalf of|sent by"
        r"|coming from|being)\s+(?:(?:the|your|a|an|our|my)\s+)?(?:[\w-]+\s+){0,3}?"
        rf"{_ROLE}(?:\s+(?:customer|client|member|user|account|partner))?"
        r"(?:\s+(?:of|at|for|in)\s+(?:(?:this|the|your|our|my)\s+)?[\w-]+(?: [\w-]+)?)?\b",
        rf"\bi (?:have|hold) (?:the )?(?:authority|power) (?:to|over)\b{_SENTENCE_REST}",
        r"\b(?:my|our) (?:time|business) is (?:very |extremely |too )?(?:valuable|precious"
        r"|important)\b",
        r"\b(?:my|our) (?:lawyer|attorney|sla|contract|status|tier) (?:says|entitles|requires"
        r"|guarantees|demands)\b[^.!?;:\n]*",
        r"\bby policy\b|\bor (?:we|i) (?:will|shall) (?:sue|cancel|leave)\b",
    )
]
# "Not urgent", "low priority": a writer playing a ticket down asks for nothing, and the calm
# cue reads these words, so a demand word after a negation or "low" stays.
_PLAYED_DOWN = r"(?<!\bnot )(?<!\bno )(?<!n't )(?<!\bnon-)(?<!\bnot a )(?<!\blow )"
_DEMANDS = re.compile(
    rf"(?<![\w-])(?:{_DEMAND_PHRASES})(?![\w-])"
    rf"|(?<![a-z0-9]){_PLAYED_DOWN}(?:(?:{_DEMAND})[-_]?)+(?![a-z0-9])",
    re.I,
)
_WATCHED = re.compile(
    rf"(?:{_DEMAND}|ignore|previous|prior|instructions?|rules?|system|override|assistant"
    r"|prompt|high|top)",
    re.I,
)


def _deleet(match: re.Match[str]) -> str:
    """A watched word written with digits or symbols for letters becomes that word."""
    token = match.group()
    core = token.strip("!|+").lower()
    for candidate in (core.translate(_LEET), core.replace("1", "l").translate(_LEET)):
        if _WATCHED.fullmatch(candidate):
            return candidate
    return token


def _unspell(match: re.Match[str]) -> str:
    return _SEPARATORS.sub("", match.group())


def _plain_latin(match: re.Match[str]) -> str:
    word = match.group()
    return word.translate(_LOOKALIKES) if _LATIN.search(word) else word


def _drop_instructing_turn(match: re.Match[str]) -> str:
    return " " if _INSTRUCTION.search(match.group()) else match.group()


def fold(text: str) -> str:
    """The text with disguised letters written plainly and accents dropped."""
    if not text.isascii():  # most tickets are plain ASCII and skip the per-character work
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(char for char in text if unicodedata.category(char) not in ("Mn", "Cf"))
        text = _WORD.sub(_plain_latin, text)
    text = _SPELT_OUT.sub(_unspell, text)
    text = _STRETCHED.sub(r"\1", text)
    return _LEET_TOKEN.sub(_deleet, text)


def _remove_all(patterns: list[re.Pattern[str]], text: str) -> str:
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return text


def neutralize(text: str) -> str:
    """The text with disguises folded and every demand, instruction and label claim removed."""
    text = _remove_all(_BLOCKS, fold(text))
    text = _TURN.sub(_drop_instructing_turn, text)
    text = _remove_all(_SPANS, text)
    return _DEMANDS.sub(" ", text)
