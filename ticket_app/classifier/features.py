"""Text to sparse features, shared by training and the runtime scorer.

Training (scikit-learn) and serving (pure Python) call this same code, so the shipped weights
always see exactly the features they were trained on. Three groups:

- words and word pairs, for topic ("invoice", "reset password");
- character 4-grams inside words, for typos and inflections ("pasword", "cacount");
- impact cues: regular expressions for what the topic words miss ("all users", "production is
  down", "charged twice", "no rush"), so priority reacts to impact and not only to subject.

Every text is neutralised first (`neutralize.py`): demands, instructions to the classifier and
pasted labels are gone before any feature sees them, so no feature can be set by asking.
"""

import itertools
import math
import re
from collections import Counter
from functools import lru_cache

from ticket_app.classifier.neutralize import neutralize

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CHAR_NGRAM_SIZES = (4,)

_SYSTEMS = (
    r"(?:production|prod|site|website|web ?site|server|servers|service|services|system|systems|"
    r"platform|app|application|portal|checkout|store|shop|api|database|network|email|e-mail|"
    r"everything|dashboard|erp|crm|gateway|payments|terminals|tills|internet|wi-?fi|vpn|phones)"
)
_PEOPLE = (
    r"(?:users|customers|clients|staff|employees|colleagues|agents|stores|branches|offices"
    r"|tenants|members|patients|students|subscribers|guests|passengers|drivers|nurses|doctors)"
)

# Asking how to fix a thing or go on ("could you tell me how to proceed?") closes a problem
# report; it is no question about how to do something.
_NOT_FIXING = (
    r"(?! (?:me |us )?(?:how )?(?:to |(?:we|i) (?:can |could |should )?)?(?:proceed|fix|solve"
    r"|resolve|repair|go on|continue)\b)"
)

CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "outage": rf"\b{_SYSTEMS}\b[^.!?\n]{{0,30}}\b(?:is|are|went|has gone|have gone|goes)?\s*"
        r"(?:completely |totally |entirely )?(?:down|(?<!work )(?<!works )(?<!working )offline"
        r"|unreachable|unavailable|unusable"
        r"|inaccessible)\b"
        r"|\boutages?\b|\bdowntime\b|\bnot (?:loading|responding) (?:at all|for anyone)",
        # A service that works but keeps failing: less than an outage, more than a glitch.
        "degraded": r"\b(?:interruptions?|overload(?:ed|s)?|degraded|intermittent(?:ly)?"
        r"|instabilit(?:y|ies)|unstable|sporadic(?:ally)?|keeps? (?:crashing|failing|dropping"
        r"|disconnecting)|(?:crash|fail|drop)s? (?:repeatedly|frequently|constantly|every few))\b",
        "everyone": rf"\ball (?:of )?(?:our |the |my )?{_PEOPLE}\b|\bevery(?:one|body)\b"
        rf"|\bno ?one\b|\bnobody\b|\bnone of (?:our|the|my) {_PEOPLE}\b"
        r"|\b(?:no|not a) (?:single )?(?:user|customer|client|employee|colleague|member|patient"
        r"|student|guest)\b"
        r"|\b(?:entire|whole) (?:company|team|organi[sz]ation|office|department|staff)\b"
        r"|\bcompany-wide\b|\bsite-wide\b",
        "many": r"\b(?:several|multiple|many|numerous|dozens of|hundreds of|thousands of"
        r"|most of (?:our|the)|half of (?:our|the)|\d{2,}) (?:of )?(?:our |the |my )?"
        rf"(?:{_PEOPLE}|people|departments|teams|sites|locations|accounts|machines"
        r"|computers|devices|servers)\b",
        "production": r"\bproduction\b|\blive (?:site|system|environment)\b|\bin prod\b",
        "security": r"\bbreach(?:ed)?\b|\bhack(?:ed|er|ers)?\b|\bcompromised\b|\bransomware\b"
        r"|\bmalware\b|\bphishing\b|\bunauthori[sz]ed\b|\bsecurity (?:incident|issue|hole)\b"
        r"|\bvulnerabilit(?:y|ies)\b|\bleak(?:ed)?\b|\bsuspicious (?:login|activity|sign-in)"
        r"|\b(?:account )?takeover\b|\bfraudulent\b|\bstolen (?:credentials|passwords?|data"
        r"|cards?|laptop)\b|\b(?:logged|signed) (?:in|on) from an? (?:unknown|unfamiliar"
        r"|foreign|strange)\b|\bwithout (?:our|my) (?:permission|knowledge|authori[sz]ation)\b",
        "data_loss": r"\b(?:data|files|records|orders|documents|database) (?:was |were |has been "
        r"|have been )?(?:lost|deleted|wiped|erased|corrupted|gone)\b|\bdata loss\b"
        r"|\blost (?:all )?(?:our |my |the )?(?:data|files|records|work)\b",
        "money": r"\bcharged (?:twice|two times|three times|multiple times|again)\b"
        r"|\bdouble[- ]charged\b|\bduplicate (?:charge|payment)s?\b|\bovercharg"
        r"|\blosing (?:money|revenue|sales|orders|customers|business)\b|\bfraud"
        r"|\bcannot (?:take|accept|process) (?:any )?payments\b|\bmoney (?:is )?lost\b"
        r"|\b(?:(?:no|not a single) (?:customer|client|user|one) can|(?:customers|clients|users"
        r"|we|nobody) (?:can(?:not|'t)|are unable to|could not)) (?:pay|check ?out|order)\b"
        r"|\bpayments? (?:are |is )?(?:failing|declined|not going through)\b",
        "impact": r"\bdisrupt\w*|\bsignificant(?:ly)? (?:impact|affect)\w*|\bimpacting\b"
        r"|\bseverely\b|\bseriously\b|\bour (?:daily |business )?operations\b",
        # Courtesy, not impact: formal e-mails ask for a "prompt" reply whatever the matter.
        "polite": r"\bearliest convenience\b|\bprompt(?:ly)?\b|\bswift(?:ly)?\b"
        r"|\bproductivity\b|\bappreciate\w*\b|\blook forward\b|\bgrateful\b",
        "blocked": r"\bblock(?:ed|ing|s)\b|\bcan(?:no|')t (?:work|do (?:my|our) (?:job|work))"
        r"|\bunable to work\b|\bat a standstill\b|\bhalted\b|\bdeadline\b",
        # What missing a deadline costs, not the deadline alone ("by Friday" is only a wish).
        "consequence": r"\b(?:will|would|could|going to) (?:miss|lose|be fined|be late|not be "
        r"(?:paid|delivered|shipped|ready|able to))\b|\bbe fined\b|\bmiss (?:the|our|a|today's"
        r"|tomorrow's|this week's) (?:deadline|pickup|shipment|launch|filing|flight|payroll"
        r"|release|cut-?off|delivery|payment run)\b|\bcan(?:not|'t) (?:launch|go live|ship"
        r"|file|close the books|pay (?:our|the) (?:staff|employees|suppliers))\b",
        "question": rf"\bhow (?:do|can|could|should|would|to)(?: (?:i|we))?\b{_NOT_FIXING}"
        r"|\bis it possible\b|\b(?:would|'d|want|wanted) (?:like )?to (?:know|ask|learn|understand"
        r"|inquire|enquire|find out)\b|\b(?:can|could) you (?:please )?(?:tell|explain|clarify"
        rf"|share|provide|send|recommend|advise|let me know)\b{_NOT_FIXING}"
        r"|\bquestion\b|\bwondering\b|\binquir|\benquir"
        r"|\bcurious\b|\binformation (?:on|about|regarding)\b|\b(?:is|are) there (?:a|an|any)\b"
        r"|\bdo you (?:have|offer|sell|ship|deliver|provide|support|accept|publish|recommend)\b"
        r"|\bwhere (?:can|do|is|are|should) (?:i|we|you|the|my|our)\b|\bwhich \w+ (?:do|does"
        r"|can|should|is|are)\b|\bwhat (?:is|are) (?:your|the)\b",
        # Asking for a change or a document, not reporting that something is broken.
        "request": r"\bplease (?:update|change|send|add|remove|rename|cancel|unsubscribe|delete"
        r"|correct|set up)\b|\b(?:would|'d) like (?:a|an|to (?:change|update|receive|get|have"
        r"|add|rename|order|switch))\b|\b(?:could|can|may) (?:i|we) (?:have|get|change|update"
        r"|rename|receive)\b",
        # Something is broken: a problem report, whatever its topic.
        "problem": r"\bnot (?:working|loading|responding|opening|syncing|arriving|possible)\b"
        r"|\b(?:does|do|did|is|are|was|were|has|have)n't (?:work|load|open|sync|arrive|start)"
        r"|\b(?:doesn't|does not|won't|will not|cannot|can't|unable to|fails? to|failed to)\b"
        r"|\berrors?\b|\bcrash\w*|\bbroken\b(?! links?\b)|\bfail(?:s|ed|ing|ure)\b|\bstopped\b"
        r"|\bfreez\w*|\bstuck\b|\bbug\b|\bglitch\w*|\bmalfunction\w*|\bdefect\w*",
        "wish": r"\bfeature request\b|\bwould be (?:nice|great|helpful|useful|cool|handy)\b"
        r"|\bsuggest|\bwish\b|\bplease add\b|\bconsider adding\b|\bfeedback\b|\bidea\b"
        r"|\b(?:would|'d) love\b|\bnice to have\b|\bany chance\b|\b(?:would|'d) like to see\b"
        r"|\b(?:could|can) you (?:please )?add (?:a|an|more|some)\b"
        r"|\bin (?:a|the) future (?:version|release|update)\b",
        # The counterpart of the impact cues: what the ticket is about matters to nobody's work.
        # Asking to be told or shown something ("why" is left out: it asks what went wrong).
        "info": r"\b(?:(?:can|could|would) you (?:please )?(?:tell|let|show) (?:me|us) (?:know )?"
        r"(?:how|when|where|what|which|whether|if|who)|how to|how (?:do|can|could|should|would)"
        rf" (?:i|we|one|you))\b{_NOT_FIXING}"
        r"|\bwhen (?:is|are|will|does|do) (?:the |your |you )?(?:next|new|latest|upcoming)\b"
        r"|\bwhen\b[^.!?\n]{0,50}\b(?:come|comes|coming) out\b|\bbe (?:released|published"
        r"|announced)\b"
        r"|\bwhere (?:can|do|should|would) (?:i|we) (?:find|get|download|see|collect|pick up"
        r"|read|look)\b|\bis there (?:a|an|any) (?:way|option|setting|shortcut|guide|manual"
        r"|tutorial|video|list)\b|\b(?:a |the )?copy of\b|\brelease notes\b|\bchange ?log\b"
        r"|\broadmap\b|\buser (?:manual|guide)\b|\bbrochure\b|\bwebinars?\b"
        r"|\b(?:opening|office) hours\b|\bprice list\b|\bterms of service\b"
        r"|\b(?:refund|return|privacy|cookie|travel) policy\b|\bterms and conditions\b",
        # How something looks, not whether it works ("greyed out" is a disabled option).
        "cosmetic": r"\b(?:fonts?|typefaces?|colou?rs?|gr[ae]y|pale|faint|contrast|placeholders?"
        r"|typos?|misspel\w*|spelling|spelt|spelled|grammar|wording|capitali[sz]\w*|capital letters"
        r"|misaligned|pixels?|blurry|fuzzy|stretched|squashed|icons?|logos?"
        r"|tooltips?|spacing|padding|hard to read|upside down|(?:broken|dead) links?"
        r"|looks? (?:odd|off|strange|weird|wrong|different|ugly|dated|old)"
        r"|(?:goes|leads|points) (?:nowhere|to (?:a|an|the) (?:wrong|old|missing) page))\b",
        # Perks, gifts and office trivia: nobody's work waits for them.
        "perk": r"\b(?:vouchers?|coupons?|gift (?:cards?|box(?:es)?|bags?|certificates?)|stickers?"
        r"|swag|merch(?:andise)?|mugs?|t-?shirts?|hoodies?|goodies|goodie bags?"
        r"|welcome (?:pack|gift|box|bag)s?|starter packs?|loyalty (?:points?|cards?|programme"
        r"|program)|reward points|freebies?|free (?:lunch|coffee|gift|sample|drink)s?|raffle"
        r"|prize draw|mascot|cafeteria|parking (?:space|spot|permit|pass)s?|snacks?|coffee"
        r" (?:corner|break|voucher)s?|lunch|(?:office|holiday|christmas|summer|team) (?:party"
        r"|event|outing)|mouse ?pads?)\b",
        "calm": r"\bno rush\b|\bnot urgent\b|\bwhenever\b|\bno hurry\b|\bwhen you (?:have|get) "
        r"(?:a chance|time)\b|\blow priority\b|\bno deadline\b|\bexploring\b|\bconsidering\b"
        r"|\bfor future reference\b|\bminor\b|\bcosmetic\b|\bworkaround\b",
    }.items()
}


# Function words carry the writer's style, not the ticket's subject; as single words they would
# let the model learn how the composed templates are written. They stay in word pairs ("how do",
# "not working"), where they do carry meaning.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "then",
        "than",
        "so",
        "if",
        "into",
        "onto",
        "also",
        "just",
        "very",
    ]
)


def words(text: str) -> list[str]:
    """Lowercased word tokens; curly apostrophes are straightened first."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


@lru_cache(maxsize=65536)
def char_ngrams(token: str) -> tuple[str, ...]:
    """Character n-grams of one word with its boundaries marked; cached, as words repeat."""
    padded = f" {token} "
    return tuple(
        "c:" + padded[start : start + size]
        for size in CHAR_NGRAM_SIZES
        for start in range(len(padded) - size + 1)
    )


def extract(text: str) -> dict[str, float]:
    """Raw feature counts of one text (before idf and normalisation), demands taken out."""
    text = neutralize(text)
    tokens = words(text)
    counts: Counter[str] = Counter()
    content = [token for token in tokens if token not in STOPWORDS]
    for token in content:
        counts["w:" + token] += 1
    for first, second in itertools.pairwise(tokens):
        counts[f"b:{first} {second}"] += 1
    for token in content:
        for gram in char_ngrams(token):
            counts[gram] += 1
    lowered = text.lower()
    for name, pattern in CUES.items():
        if pattern.search(lowered):
            counts["q:" + name] = 1
    return dict(counts)


def weigh(counts: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear tf-idf, L2-normalised per group; cue flags stay 0/1.

    Features missing from `idf` are dropped, as a fitted vectoriser would drop them. Words (with
    word pairs) and character n-grams each get unit length separately, so long e-mails and short
    chat lines land on the same scale.
    """
    weighted: dict[str, float] = {}
    squares = {"w": 0.0, "c": 0.0}
    for name, count in counts.items():
        factor = idf.get(name)
        if factor is None:
            continue
        if name[0] == "q":
            weighted[name] = count
            continue
        value = (1.0 + math.log(count)) * factor
        weighted[name] = value
        squares["c" if name[0] == "c" else "w"] += value * value
    norms = {group: math.sqrt(total) for group, total in squares.items()}
    for name, value in weighted.items():
        if name[0] != "q":
            weighted[name] = value / norms["c" if name[0] == "c" else "w"]
    return weighted
