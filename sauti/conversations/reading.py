"""Reading an SMS: text -> report draft, the analysis an SMS conversation starts from.

`analyse(text, county_hint=None, place_finder=None) -> Analysis` finds

- the **command**, if the message is one (`sauti.conversations.keywords.parse_command`: RIPOTI/REPORT,
  HALI/STATUS, and ACHA/STOP as the transport reads them);
- the **language** (`en`, `sw` or `mixed`) from word lists and Kiswahili verb shapes; Sheng counts as sw;
- the **category** (a key of `sauti.monitoring.taxonomy.TOP_LEVEL_KEYS`) from weighted keyword and stem
  rules in both languages (`category_scores` are theirs), blended with a naive Bayes model trained on
  labelled messages (`sauti.conversations.category_model`); `category_choices` are the close runners-up
  the sender is asked to choose from;
- the **place**, through the gazetteer (`sauti.places.services.extract_places`, injectable);
- the **people affected**, from a number bound to a count noun ("watu 200", "200 people", "familia
  hamsini", "over two hundred residents").

Everything is pure except the default place finder, which reads the gazetteer's in-memory index (built
from the database once per process). Pass `place_finder=` to test without a database.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, Protocol

from sauti.conversations import category_model
from sauti.conversations.category_model import ASK_MARGIN, BLEND, MAX_CHOICES, OTHER_STANDING
from sauti.conversations.keywords import Command, parse_command
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS
from sauti.places.matching import PlaceCandidate
from sauti.places.services import extract_places

__all__ = [
    "CATEGORY_RULES",
    "MAX_TEXT_LENGTH",
    "Analysis",
    "Language",
    "PlaceFinder",
    "analyse",
    "detect_language",
    "people_affected",
    "score_categories",
    "tokenize",
]

Language = Literal["en", "sw", "mixed"]
MAX_TEXT_LENGTH: Final = 2000  # longer texts are analysed on their first 2,000 characters
PLACE_TIE: Final = 0.05  # candidates this close to the best are equally likely: the most specific wins


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


class PlaceFinder(Protocol):
    def __call__(self, text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]: ...


# Lexicon: language ------------------------------------------------------------------------------------

SW_WORDS: Final = _wordset(
    """
    na ya wa za la cha vya kwa katika kwenye ni si hii hiyo huu hayo haya hizi hizo huyu hao hapa pale huko
    huku kule leo jana juzi kesho sasa bado tangu mpaka hadi tu pia sana kila wote yote zote wengi wengine
    watu mtu maji nyumba nyumbani hakuna kuna iko ziko wako yuko tuko wapi lini nini nani gani vipi sababu
    lakini au pamoja bila baada kabla wakati siku wiki mwezi miezi mwaka miaka saa masaa asubuhi mchana
    jioni usiku sisi nyinyi wao yeye mimi wewe yetu wetu zetu letu chetu vyetu langu wangu yangu zangu
    changu kwetu kwao kwangu yao zao lao chao yake wake zake lake chake kwake tafadhali asante asanteni
    habari sawa ndio ndiyo hapana shida tatizo matatizo msaada mkubwa kubwa ndogo mbaya mzuri nzuri vizuri
    nyingi kidogo mingi zaidi kama hivi hivyo kisha halafu ambao ambapo ambayo ambaye hata tena kabisa bure
    ovyo karibu mbali ndani nje juu chini serikali kaunti chifu mbunge diwani wananchi wakazi jamii watoto
    mtoto mama baba wazee mzee vijana kijana wanawake mwanamke wanaume mwanaume msichana wasichana pesa
    kazi chakula njaa ugonjwa hali mvua moto shamba mashamba ardhi shule hospitali zahanati dawa ada mradi
    miradi barabara polisi askari choo vyoo takataka taka moshi mto ziwa hongo ufisadi mali bei ghali
    mtungi mitungi kisima mabomba bomba mfereji makazi uchafu harufu kiwanda viwanda miti msitu hewa
    usalama wezi majambazi risasi mke mume mjane wajane yatima urithi afya daktari wagonjwa mgonjwa elimu
    walimu mwalimu wanafunzi mwanafunzi darasa madarasa vitabu mtihani daraja mkandarasi ujenzi bajeti
    rushwa mlungula viongozi kiongozi ofisi barua kitambulisho mkutano kikundi swali mungu naomba
    tunaomba saidieni tusaidie msaidie hatuna hawana hana hamna haina hazina mmoja moja mbili tatu nne
    tano sita saba nane tisa kumi ishirini thelathini arobaini hamsini sitini sabini themanini tisini mia
    elfu laki wawili watatu wanne watano mara tupu wala jirani familia hofu haraka mahali kitu vitu ila
    kweli ukweli jinsi namna kuhusu zamani mapema nzima mzima mpya jipya mwisho kumbe eti yaani basi ama
    vile hivo hio kiasi kutoka kwenda kuja kuwa usafi mazingira uchafuzi ukame njia mtaa mitaa mtaani
    kijiji vijiji kijijini soko sokoni gari magari matatu stima umeme giza gizani mimba mjomba shangazi
    dada kaka bibi babu wazazi mzazi ndugu marafiki rafiki wanakijiji maskini tajiri ripoti
    """
)
SHENG_WORDS: Final = _wordset(
    """
    manze maze msee wasee mse doh ganji mbogi keja ploti karao makarao sanse mapolo kanjo mathree ocha
    budaa buda mathe fathe dem manzi mresh poa fiti noma sare ghetto ngori mabeshte beshte fom kubonga
    bonga nduthi sonko yaani xaxa sahii sai cjui sijui cc hv kwnz nmeona tnaomba hakna mbya sna xana
    xote wtu kwani wazito mabuda gava chapaa munde thao mbao ashuu mboga wamama jamaa juu
    """
)
EN_WORDS: Final = _wordset(
    """
    the an and or but of in on at to from for with by is are was were be been being has have had do does
    did not no there this that these those it its we our us they their them he she his her him my me you
    your who what when where why how which since until please help thanks thank people water school
    hospital police houses house families family children child road project land toilet toilets days day
    week weeks month months year years today yesterday morning night evening now still again very many more
    some all any without because after before about over will would can could should must need needs want
    get got came come went go going cut broken burst dirty sick beaten arrested demolished evicted closed
    stolen killed shot raped asked paid pay money bribe bribes fees teacher teachers pupils students nurse
    nurses doctor doctors drugs medicine clinic garbage sewage smoke factory river trees forest contractor
    stalled yes ok okay hello hi dear sir madam just only also even every each other another same such
    than then here out up down off into under near far new old big small bad good poor rich free last
    next first second two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands dozens residents women men girls boys girl boy woman man mother
    father husband wife widow widows orphans officers officer chief county government office community
    public private market town village estate area street homes home rent landlord eviction notice given
    nobody anyone someone everyone nothing something everything ago while during against between behind
    across around along among through whole half full empty dry wet unsafe safe isn dont don cant can
    wont won didn doesn haven hasn wasn weren aren like volunteer meeting group call back talk received
    receive send sent told tell said say know think feel see seen look looking seems fear afraid
    suffering affected living live lives leaving left already yet soon late early whom whose kindly urgent
    urgently guys son daughter arm right supposed finish finished taken report case cases violence
    borehole fare price prices issue issues time life line site side rate close make made take gone done
    none sure care share here where service drive phone voice one place because case estate route
    centre center programme minute minutes hour hours date reply text message sms
    """
)
SPELLINGS: Final[dict[str, str]] = {
    "xaxa": "sasa", "sahii": "sasa", "sai": "sasa", "cjui": "sijui", "cc": "sisi", "hv": "hivi",
    "kwnz": "kwanza", "hakna": "hakuna", "hkn": "hakuna", "mbya": "mbaya", "sna": "sana", "xana": "sana",
    "xote": "zote", "wtu": "watu", "tnaomba": "tunaomba", "tunaomb": "tunaomba", "nmeona": "nimeona",
    "ppl": "people", "pple": "people", "pipo": "people", "pls": "please", "plz": "please", "coz": "because",
    "cz": "because", "bcoz": "because", "skul": "school", "shul": "shule", "hosp": "hospital",
    "plc": "police", "2day": "today", "2nite": "tonight", "maj": "maji", "mbomba": "mabomba",
    "tym": "time", "nyt": "night", "gava": "serikali",
}  # fmt: skip
# Kiswahili verbs: (negation) subject, tense, (object) stem, final vowel: wa-me-furush-wa, ha-tu-na,
# ku-pig-wa. English words of this shape are rare and listed words are checked first.
_SW_VERB = re.compile(
    r"^(?:ha|si)?(?:ni|u|a|tu|m|mu|wa|i|ya|li|ki|vi|zi|ku|pa|hu)"
    r"(?:me|na|li|ta|ja|ki|nge|ngali|ka)[a-z]{2,}[aeiou]$"
    r"|^ku[a-z]{3,}[aeiou]$"
    r"|^ha(?:tu|wa|ku|i|zi|ya|m)?(?:na|ja|ta)?[a-z]{2,}[ie]$"
)
# Kiswahili words are sequences of (nasal) (consonant or digraph) (w/y) vowel syllables; a word that
# cannot be cut that way ("title", "water", "project") is English (or a name, left out beforehand).
_SW_SHAPE = re.compile(
    r"(?:(?:[mn](?![aeiouy]))?(?:ch|sh|th|dh|gh|kh|ny|ng|mb|nd|nj|nz|[bcdfghjklmnprstvwyz])?[wy]?[aeiou])+"
)


# Lexicon: categories ----------------------------------------------------------------------------------

# (patterns separated by "|", {category: weight}, tag). Patterns match whole normalised tokens: `word`,
# `stem*`, `*ending`, `*part*`; several words are a phrase. Weights: 6-7 decisive, 4-5 strong, 3 clear,
# 2 supporting, 1 weak, 0 only a tag for CATEGORY_COMBINATIONS. One token counts for one rule only, the
# first listed that matches, so phrases and specific forms come before general stems. A rule counts once
# however often it matches.
CATEGORY_RULES: Final[list[tuple[str, dict[str, float], str]]] = [
    # phrases
    ("maji taka|majitaka|maji machafu ya choo|maji ya choo", {"sanitation": 5, "water": -2}, ""),
    ("kitu kidogo|pesa ya chai|kitu ya chai|something small|chini ya meza|under the table|*pa kitu|*pe kitu", {"corruption": 4}, "bribe"),
    ("bila risiti|hakuna risiti|no receipt|without receipt|without a receipt|without receipts", {"corruption": 3}, "money"),
    ("*piga pesa|*piga doh|*piga ganji|*chukua pesa|*chukua hela|*chukua fedha|was eaten|were eaten|been eaten", {"corruption": 3}, "money"),
    ("title deed*|hati miliki|hatimiliki|hati za umiliki|hati ya umiliki|land grab*|community land", {"land": 5}, ""),
    ("kituo cha afya|health centre|health center|health facility", {"health": 5}, ""),
    ("school fees|ada ya shule|karo ya shule|exam fees|ada ya mitihani", {"education": 5}, "fees"),
    ("domestic violence|gender based|dhuluma za kijinsia|ukatili wa kijinsia|ndoa za mapema|early marriage*|child marriage*", {"gbv": 6}, ""),
    ("flying toilet*|pit latrine*|public toilet*|choo cha umma|vyoo vya umma", {"sanitation": 5}, ""),
    ("street light*|streetlight*|taa za barabarani|flood light*|floodlight*", {"public-projects": 4}, ""),
    ("kazi duni|poor workmanship|white elephant|kiwango duni", {"public-projects": 5}, ""),
    ("pesa za umma|public funds|public money|pesa za mradi|fedha za umma|mali ya umma|mali za umma|walipa kodi|taxpayers money", {"corruption": 5}, ""),
    ("ghost workers|ward fund", {"corruption": 3}, ""),
    ("*kula pesa|kula pesa|ate the money|eating the money|eat the money|money disappeared|funds disappeared|pesa zimepotea|pesa zilipotea|pesa imepotea|cdf money|cdf funds|pesa za cdf|misused funds|funds were misused|money was stolen|money meant for", {"corruption": 5}, "bribe"),
    ("own relatives|their relatives|watu wa familia|friends of the|marafiki wa|kwa kujuana|jamaa zake|jamaa zao|ndugu zake|ndugu zao|marafiki zao|marafiki zake|own clan|own company|kampuni yake|kampuni yao|kampuni hewa|ghost company", {"corruption": 3}, ""),
    ("ward officer|county officer*|lands officer|land officer|clinic officer|health officer|education officer|wa kaunti|county officials|county staff|county workers", {"corruption": 1}, "official"),
    ("to get|to process|to release|in order to", {"corruption": 0}, "condition"),
    ("to give us|to give me|ili tupewe|ili upewe|ili nipewe|ndio tupewe|ndio upewe|unless we|unless you|unless they|before they|ukitaka|ukienda|lazima utoe|lazima ulipe|lazima umlipe|bila kulipa|bila kutoa|ndio a*|ndio tu*|ndio ni*|ndio wa*|ndio u*", {"corruption": 0}, "condition"),
    ("duka lake|duka yake|duka lao|chemist yake|chemist lake|kwa jina lake|kwa jina yake|kwa majina yao|his friends|her friends|their friends|his store|his shop|her shop|his pocket|their pockets|into the pockets|mfukoni|kwa marafiki zake|mtu ndani|walio na mtu|for himself|for herself|for themselves|own members|own pocket", {"corruption": 3}, "self"),
    ("dawa za serikali|dawa ya serikali|government drugs|government medicine|relief food|chakula cha msaada|msaada wa chakula|mali ya serikali|government property", {"corruption": 1}, "public"),
    ("mwalimu mkuu|head teacher|procurement officer|mtu wa kaunti|watu wa kaunti|mtu wa ofisi|watu wa ofisi|wafanyakazi wa county|wafanyakazi wa kaunti|wasee wa county|jamaa wa county|fundi wa kaunti|fundi wa kplc", {"corruption": 1}, "official"),
    ("ndoa ya mapema|ndoa za utotoni|ndoa ya utotoni|*olewa na mzee|*olewa na mwanaume", {"gbv": 6}, ""),
    ("kakitu|kitu kidogo|tutoe kitu|utoe kitu|na kitu", {"corruption": 3}, "bribe"),
    ("kituo cha polisi|police station|police post", {"security": 1}, ""),
    ("askari wa kaunti|county askari|county askaris", {"security": 3}, "police"),
    ("samaki wamekufa|samaki wanakufa|dead fish|fish are dying|fish died", {"environment": 3}, ""),
    ("wamiliki wa nyumba|mmiliki wa nyumba|wamiliki wa ploti|mmiliki wa ploti|wenye ploti|mwenye ploti", {"housing": 4}, ""),
    ("wazee wa kijiji|mzee wa kijiji|village elder*|land registry|ofisi ya ardhi|lands office", {"corruption": 1}, "official"),
    ("kukata miti|wanakata miti|cutting trees|tree cutting", {"environment": 4}, ""),
    ("kulala nje|sleeping outside|pa kulala|hawana makao|bila makao", {"housing": 4}, ""),
    ("affordable housing", {"housing": 3}, ""),
    ("oil spill", {"environment": 5}, ""),
    # housing
    ("*furush*", {"housing": 5}, ""),
    ("tingatinga|tinga|bulldozer*|caterpillar", {"housing": 4}, ""),
    ("evict*", {"housing": 5}, ""),
    ("demoli*|*bomoa|*bomolew*|*bomoka|*bomol*", {"housing": 4}, ""),
    ("landlord*|caretaker*|mwenye nyumba|wenye nyumba", {"housing": 4}, ""),
    ("nyumba|houses|house|homes|housing|keja|makazi|makao|homeless*|displaced", {"housing": 3}, ""),
    ("rent|rental|kodi|ploti|shack*|structures|mabati", {"housing": 2}, ""),
    ("*hamishw*|relocat*|*hame|*hama", {"housing": 2}, ""),
    ("vibanda|kibanda", {"housing": 2}, ""),
    # water
    ("maji|water|mabomba|bomba|mfereji|taps|tap|pipes|pipe|kisima|visima|borehole*|jerrican*|jerican*|jerikeni|mtungi|mitungi|bowser|tanker", {"water": 3}, "water"),
    ("ukame|drought|kiu|thirst*|kiwasco|mowasco|ncwsc", {"water": 2}, ""),
    # sanitation
    ("choo|vyoo|toilet*|latrine*|sewage|sewer*|manhole*|exhauster", {"sanitation": 4}, ""),
    ("takataka|taka|garbage|rubbish|trash|dustbin*|dampo|jaa|waste|dump|dumps|dumping|dumpsite*", {"sanitation": 4}, ""),
    ("mtaro|mitaro|drain*", {"sanitation": 3}, ""),
    ("uchafu|*zolew*|*zoa|*zoli|*okotw*|collection|usafi|sanitation|inzi|nzi|flies", {"sanitation": 2}, ""),
    ("*furika", {"sanitation": 1, "environment": 1}, ""),
    # environment
    ("moshi|smoke|*uchafuzi*|pollut*|*chafuk*|*chafua|effluent|kemikali|chemical*|toxic|sumu|nema|mazingira|environment*", {"environment": 4}, ""),
    ("kiwanda|viwanda|factory|factories|quarry|quarries|machimbo|uchimbaji|mchanga|sand", {"environment": 3}, ""),
    ("vumbi|dust|kelele|noise|blasting", {"environment": 2}, ""),
    ("mto|mtoni|river*|ziwa|lake|sea|bahari|baharini|samaki|fish|miti|trees|msitu|forest|charcoal|mkaa|hewa|air", {"environment": 2}, ""),
    ("mafuriko|flood|floods|flooding|flooded", {"environment": 4}, ""),
    ("harufu|smell*|stench|*nuka|plastiki|plastic*|*choma|burning|logging", {"environment": 1}, ""),
    # security
    ("polisi|police*|askari|askaris|karao|makarao|sanse|cop|cops|ocs|ocpd|gsu|dci|kanjo|mapolo", {"security": 3}, "police"),
    ("*pigwa|*pigw*|beat|beaten|beating|beatings", {"security": 3, "gbv": 1}, "beat"),
    ("*piga|*dungwa|stabbed|*umizwa", {"security": 2}, "beat"),
    ("*chomwa", {"security": 2, "environment": 1}, "beat"),
    ("*kamatw*|*kamata|arrest*|seli|cells|crackdown|msako|raid*", {"security": 4}, ""),
    ("risasi|shot|shoot*|bullet*|teargas|tear gas|vitoa machozi|*uawa|killed|murder*|mauaji", {"security": 4}, ""),
    ("wezi|mwizi|*wizi|*eibiwa|*iibiwa|*aibiwa|kuibiwa|kuiba|*aiba|*liiba|*meiba|thieves|thief|theft|robber*|rob|robbed|mugg*|*porwa|*vamia|*vamiwa|attack*", {"security": 3}, ""),
    ("majambazi|jambazi|gang|gangs|genge|magenge|uhalifu|crime*|criminal*|insecurity|usalama|panga|pangas|mapanga", {"security": 4}, ""),
    ("*tekwa|kidnap*|abduct*|disappear*|missing|wasiojulikana", {"security": 3}, ""),
    ("*potea|*shika|harass*|*nyang*anya|*nyanganywa|*nyang*anywa|extort*|*toza|brutal*|*nyanyas*", {"security": 2}, ""),
    ("*jeruhiw*|majeraha|injured|injuries|hofu|fear", {"security": 1}, ""),
    # gbv
    ("ubakaji|*bakwa|*bakaji|kubaka|*mbaka|*wabaka|*libaka|rape|raped|rapist*|defile*|*najisi*", {"gbv": 7}, ""),
    ("gbv|sgbv|fgm|ukeketaji|*keketw*|*kekete*|kijinsia|sexual*|kingono", {"gbv": 6}, ""),
    ("mke|mkewe|wife|wives|mume|mumewe|waume|husband*|boyfriend|girlfriend|mpenzi", {"gbv": 2}, "partner"),
    ("*ozwa|married off|forced marriage|forced to marry", {"gbv": 5}, ""),
    ("*dhulumiw*|*dhulumu|abused|abuse", {"gbv": 2}, "abuse"),
    ("mimba|pregnan*", {"gbv": 1}, "pregnancy"),
    ("*olewa|msichana|wasichana|girl|girls|mwanamke|wanawake|woman|women|dada|bibi", {"gbv": 1}, ""),
    # land
    ("ardhi|land|acre*|ekari", {"land": 4}, ""),
    ("shamba|mashamba|farm|farms", {"land": 3}, ""),
    ("*nyakua|*nyakuliw*|*nyakuzi|grab*", {"land": 5}, ""),
    ("mjane|wajane|widow*|yatima|orphan*|urithi|inherit*|*rithi", {"land": 3}, ""),
    ("beacon*|surveyor*|boundar*|mipaka|plot|plots|maskwota|squatter*|mashemeji|shemeji|wakwe|in law|in laws|ancestral", {"land": 3}, ""),
    ("title|lease|allotment|property|mali", {"land": 1}, ""),
    # health
    ("zahanati|dispensar*|kliniki|clinic*|maternity|ambulance*|ambulensi|hospitali*|hospital*", {"health": 4}, ""),
    ("daktari|madaktari|doctor*|nurse*|muuguzi|wauguzi|wahudumu|afya|health", {"health": 3}, ""),
    ("dawa|madawa|drugs|medicine*|medication|arv*|vaccin*|chanjo|matibabu|*tibiw*|treatment", {"health": 4}, ""),
    ("wagonjwa|mgonjwa|patient*|sick|ugonjwa|magonjwa|*gonjw*|disease*|malaria|homa|fever|cholera|kipindupindu|*harisha|kuhara|tb|hiv|rabies", {"health": 3}, ""),
    ("wajawazito|mjamzito|kujifungua|*jifungua|delivered|nhif|sha|shif|chemist*", {"health": 2}, ""),
    # education
    ("shule|shuleni|school|schools|elimu|education|ecde|jss|chekechea|cbc|secondary|primary", {"education": 4}, "school"),
    ("walimu|mwalimu|teacher*|wanafunzi|mwanafunzi|pupil*|student*|learner*|darasa|madarasa|classroom*|class|grade", {"education": 4}, "school"),
    ("ada|karo|fees|fee|bursary|bursaries|basari|uniform*|vitabu|textbook*|books|madawati|desks|mtihani|mitihani|exam|exams|kcpe|kcse|kjsea|masomo", {"education": 3}, "fees"),
    # public projects
    ("mradi|miradi|project*|cdf|ngcdf|mkandarasi|wakandarasi|contractor*", {"public-projects": 4}, "project"),
    ("*kwama|stalled|*kamilika|*kamilik*|incomplete|unfinished|abandon*|halfway|*simama", {"public-projects": 3}, ""),
    ("barabara|road|roads|daraja|bridge*|footbridge*|murram|tarmac*|lami|culvert*|potholes", {"public-projects": 3}, ""),
    ("soko|market", {"public-projects": 2}, ""),
    ("ujenzi|construction|constructed|*jengwa|*jengw*|*jenga|built|bajeti|budget*", {"public-projects": 2}, ""),
    ("mca|mcas|mbunge|diwani|ward rep", {"public-projects": 1, "corruption": 1}, "official"),
    # corruption
    ("ufisadi|mafisadi|fisadi|*fisad*|corrupt*|rushwa|hongo|*hongw*|mlungula|bribe|bribes|bribery|kickback*|embezzl*|misappropriat*|eacc|ubadhirifu|*badhiri*", {"corruption": 5}, "bribe"),
    ("*fuja|*fujwa|*meliwa|*liliwa|nepotism|upendeleo|tender*|tenda|zabuni|inflated|*gawana|relatives|favouritism|favoritism|cronies|cronyism|ukabila|tribalism", {"corruption": 3}, ""),
    ("chai", {"corruption": 2}, "bribe"),
    ("upate|tupate|apate|wapate|nipate|mpate", {"corruption": 0}, "condition"),
    ("*itisha|demand*|asking|charges|charging|pesa|money|cash|receipt|risiti|*uzwa|sold|selling|sells|pay|paid|paying|*lipe|*lipa|*lipisha|*lipishwa|fund|funds|fedha|hela|doh|ganji|chapaa|munde", {"corruption": 1}, "money"),
    ("chifu|chief*|afisa|official*|administrator|registrar|clerk|clerks|mganga|matron|headteacher|principal|procurement|accountant|mhasibu|msimamizi|wakubwa|elder|elders|viongozi|kiongozi|mwenyekiti|chairman|chairperson|kamati|wanakamati|committee|treasurer|supervisor|councillor*|councilor*|organiser*|organizer*|ofisi|office|offices", {"corruption": 1}, "official"),
    # other (no taxonomy category of its own)
    ("stima|umeme|electricity|kplc|tokens|transformer|blackout|power", {"other": 4}, ""),
    ("unga|njaa|hunger|food|chakula|pombe|fare|ajira|jobs", {"other": 1}, ""),
]  # fmt: skip

# (tags that must all be present, {category: extra weight}). Police taking bribes is extortion, filed under
# security (taxonomy sub-key security-extortion); an official taking money is corruption; a partner beating
# someone is gender-based violence.
CATEGORY_COMBINATIONS: Final[list[tuple[frozenset[str], dict[str, float]]]] = [
    (frozenset({"police", "bribe"}), {"security": 6}),
    (frozenset({"police", "money"}), {"security": 2}),
    (frozenset({"beat", "partner"}), {"gbv": 6}),
    (frozenset({"school", "fees"}), {"education": 2}),
    (frozenset({"official", "money"}), {"corruption": 3}),
    (frozenset({"official", "bribe"}), {"corruption": 2}),
    (frozenset({"official", "amount"}), {"corruption": 2}),
    (frozenset({"money", "condition"}), {"corruption": 2}),
    (frozenset({"project", "water"}), {"public-projects": 1}),
    (frozenset({"police", "amount"}), {"security": 3}),
    (frozenset({"self", "money"}), {"corruption": 2}),
    (frozenset({"self", "official"}), {"corruption": 3}),
    (frozenset({"public", "self"}), {"corruption": 2}),
    (frozenset({"amount", "condition"}), {"corruption": 3}),
    (frozenset({"official", "condition"}), {"corruption": 1}),
    (frozenset({"pregnancy", "abuse"}), {"gbv": 6}),
]
# Equal scores go to the narrower category.
_TIE_ORDER: Final = (
    "gbv", "corruption", "land", "education", "housing", "water", "sanitation", "environment", "health",
    "public-projects", "security", "other",
)  # fmt: skip


def _pattern(term: str) -> str:
    words = []
    for word in term.split():
        core = re.escape(word.strip("*"))
        words.append(
            ("[a-z0-9]*" if word.startswith("*") else "") + core + ("[a-z0-9]*" if word.endswith("*") else "")
        )
    return " ".join(words)


def _alternation(phrases: bool, *, open_start: bool = True) -> tuple[re.Pattern[str], list[int]]:
    """One regex with a group per rule (its phrase terms, or its one-word terms) and the rule of each group.
    `open_start=False` leaves out the phrases whose first word has an open start ("*kula pesa")."""
    groups: list[str] = []
    rules: list[int] = []
    for i, (terms, _, _) in enumerate(CATEGORY_RULES):
        chosen = [
            _pattern(t)
            for t in terms.split("|")
            if (" " in t) == phrases and (open_start or not t.startswith("*"))
        ]
        if chosen:
            groups.append(f"({'|'.join(chosen)})")
            rules.append(i)
    body = "|".join(groups)
    return re.compile(f"(?<![a-z0-9])(?:{body})(?![a-z0-9])" if phrases else f"(?:{body})"), rules


_PHRASE_RE, _PHRASE_RULES = _alternation(phrases=True)
# Phrases with an open start ("*kula pesa") cost the regex a try at every letter of every word; most
# messages lack their last word ("pesa"), and without it the regex without them finds exactly the same.
_CLOSED_PHRASE_RE, _CLOSED_PHRASE_RULES = _alternation(phrases=True, open_start=False)
_OPEN_PHRASE_ENDS: Final = frozenset(
    t.split()[-1]
    for terms, _, _ in CATEGORY_RULES
    for t in terms.split("|")
    if " " in t and t.startswith("*")
)
assert not any("*" in word for word in _OPEN_PHRASE_ENDS), "an open-start phrase must end in a plain word"
_WORD_RE, _WORD_RULES = _alternation(phrases=False)


# Lexicon: numbers and count nouns -----------------------------------------------------------------------

SW_UNITS: Final[dict[str, int]] = {
    "moja": 1, "mmoja": 1, "mbili": 2, "wawili": 2, "tatu": 3, "watatu": 3, "nne": 4, "wanne": 4,
    "tano": 5, "watano": 5, "sita": 6, "saba": 7, "nane": 8, "wanane": 8, "tisa": 9,
}  # fmt: skip
SW_TENS: Final[dict[str, int]] = {
    "kumi": 10, "ishirini": 20, "thelathini": 30, "arobaini": 40, "hamsini": 50, "sitini": 60,
    "sabini": 70, "themanini": 80, "tisini": 90,
}  # fmt: skip
SW_MULTIPLIERS: Final[dict[str, int]] = {"mia": 100, "elfu": 1000, "laki": 100_000}
EN_UNITS: Final[dict[str, int]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
EN_TENS: Final[dict[str, int]] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
EN_MULTIPLIERS: Final[dict[str, int]] = {"hundred": 100, "thousand": 1000}

# A number bound to one of these counts people or households. Kiswahili puts the number after the noun
# ("watu 200", "familia hamsini"), English before ("200 people"); each noun tries its own order first.
SW_PEOPLE: Final = _wordset(
    """
    watu mtu wakazi mkazi wananchi wanakijiji watoto mtoto wanafunzi mwanafunzi wagonjwa mgonjwa wanawake
    mwanamke wazee mzee vijana kijana wajane mjane yatima wafanyabiashara wafanyibiashara wachuuzi
    wanachama waathiriwa wasichana msichana wavulana wanaume mwanaume wapangaji wakulima wafanyakazi
    wafanyikazi wavuvi wasee msee maskwota wamama wajawazito
    """
)
EN_PEOPLE: Final = _wordset(
    """
    people persons person residents villagers children kids students pupils learners patients women
    elderly youths youth widows orphans traders vendors hawkers members individuals victims girls boys men
    mothers tenants squatters farmers workers babies adults fishermen
    """
)
SW_HOUSEHOLDS: Final = frozenset({"familia", "nyumba", "kaya", "maboma", "boma"})
EN_HOUSEHOLDS: Final = frozenset(
    {"families", "family", "households", "household", "houses", "homes", "homesteads", "shacks", "structures"}
)
# Allowed between a count noun and its number: "watu kama 200", "watu zaidi ya 100", "families about 30".
_FILLERS: Final = _wordset(
    "kama zaidi ya takriban karibu hivi about around over than more at least approximately almost nearly"
)
# A number right after one of these is money, a date, a time, an age, a duration or a reference.
_NOT_A_COUNT_BEFORE: Final = _wordset(
    """
    ksh kes sh shs shilingi shillings bob usd tarehe date saa masaa mwaka year tangu since namba nambari no
    nr number ripoti report hali status ref grade darasa class miaka age aged km kilomita lita litre miezi
    siku wiki dakika mara
    """
)
# ... or right before one of these.
_NOT_A_COUNT_AFTER: Final = _wordset(
    """
    ksh kes bob shillings shilingi usd am pm hrs hours days weeks months years year km kilomita kilometres
    litre litres liters lita percent asubuhi jioni usiku
    """
)


# Tokens ---------------------------------------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼʻ"), None)
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_REPEATS = re.compile(r"([a-z])\1{2,}")


def tokenize(text: str) -> list[str]:
    """Lower-case ASCII tokens: accents and apostrophes dropped, "1,000" joined, letters and digits apart,
    letters stretched for emphasis shortened ("sanaaa" -> "sana"), SMS spellings expanded ("xaxa" ->
    "sasa", "ppl" -> "people")."""
    if text.isascii():
        folded = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    folded = _THOUSANDS.sub("", folded.translate(_APOSTROPHES))
    spaced = _LETTER_DIGIT.sub(" ", _NON_WORD.sub(" ", folded))
    return [SPELLINGS.get(t, t) for t in _REPEATS.sub(r"\1", spaced).split()]


# Language --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _word_language(token: str) -> tuple[float, float]:
    """(Kiswahili evidence, English evidence) from one token."""
    in_sw = token in SW_WORDS or token in SHENG_WORDS
    in_en = token in EN_WORDS
    if in_sw != in_en:
        return (1.0, 0.0) if in_sw else (0.0, 1.0)
    if in_sw:  # in both lists: no evidence
        return 0.0, 0.0
    if len(token) < 3 or not token.isalpha():
        return 0.0, 0.0
    if "x" in token and token.replace("x", "s") in SW_WORDS:  # Sheng spelling: "xaxa", "xawa"
        return 1.0, 0.0
    if _SW_VERB.match(token):
        return 1.0, 0.0
    if not any(ch in "aeiou" for ch in token):
        return 0.0, 0.0  # an acronym: CDF, KPLC
    if not _SW_SHAPE.fullmatch(token):
        return 0.0, 1.0
    return 0.3, 0.0


def detect_language(tokens: Sequence[str], *, ignore: frozenset[int] = frozenset()) -> Language:
    """`mixed` when both languages have at least two words and the smaller share is at least a quarter;
    else the larger. Tokens at `ignore` (place names) are left out. No evidence at all gives `sw`, the
    language most SMS to Sauti's short codes are written in."""
    sw = en = 0.0
    sw_words = en_words = 0
    for i, token in enumerate(tokens):
        if i in ignore:
            continue
        s, e = _word_language(token)
        sw += s
        en += e
        sw_words += s >= 1.0
        en_words += e >= 1.0
    if sw + en == 0:
        return "sw"
    if sw_words >= 2 and en_words >= 2 and min(sw, en) / (sw + en) >= 0.25:
        return "mixed"
    return "en" if en > sw else "sw"


# Category --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _word_rule(token: str) -> int | None:
    m = _WORD_RE.fullmatch(token)
    return None if m is None or m.lastindex is None else _WORD_RULES[m.lastindex - 1]


def _matched_rules(tokens: Sequence[str]) -> set[int]:
    """The rules the tokens match: phrases first (their words count for nothing else), then each other
    token on its own (cached: a message's words are mostly words seen before)."""
    matched: set[int] = set()
    consumed: set[int] = set()
    joined = " ".join(tokens)
    if " " in joined:
        starts = list(itertools.accumulate((len(t) + 1 for t in tokens[:-1]), initial=0))
        regex, rules = (
            (_PHRASE_RE, _PHRASE_RULES)
            if _OPEN_PHRASE_ENDS.intersection(tokens)
            else (_CLOSED_PHRASE_RE, _CLOSED_PHRASE_RULES)
        )
        for m in regex.finditer(joined):
            assert m.lastindex is not None
            matched.add(rules[m.lastindex - 1])
            first = bisect.bisect_right(starts, m.start()) - 1
            last = bisect.bisect_left(starts, m.end())
            consumed.update(range(first, last))
    for i, token in enumerate(tokens):
        if i not in consumed:
            rule = _word_rule(token)
            if rule is not None:
                matched.add(rule)
    return matched


CORRUPTION_OVERRIDE: Final = 5.0
_GAIN_TAGS: Final = frozenset({"money", "bribe", "amount"})
_ABUSE_TAGS: Final = frozenset({"official", "self", "condition"})
_SECTORS: Final = (
    "water",
    "sanitation",
    "health",
    "education",
    "public-projects",
    "land",
    "housing",
    "other",
)


def score_categories(tokens: Sequence[str]) -> dict[str, float]:
    """Every top-level category's score for these tokens (0 where nothing matched)."""
    scores = dict.fromkeys(TOP_LEVEL_KEYS, 0.0)
    matched = _matched_rules(tokens)
    tags: set[str] = set()
    for i in matched:
        _, weights, tag = CATEGORY_RULES[i]
        for category, weight in weights.items():
            scores[category] += weight
        if tag:
            tags.add(tag)
    if _names_a_sum(tokens):
        tags.add("amount")
    for needed, extra in CATEGORY_COMBINATIONS:
        if needed <= tags:
            for category, weight in extra.items():
                scores[category] += weight
    if (
        "police" not in tags
        and tags & _GAIN_TAGS
        and tags & _ABUSE_TAGS
        and scores["corruption"] >= CORRUPTION_OVERRIDE
    ):
        # Corruption cuts across sectors: money taken by an office holder, on a condition or for private
        # gain, is corruption even in a clinic or a school, whose words otherwise outweigh it.
        sector = max(scores[key] for key in _SECTORS)
        scores["corruption"] = max(scores["corruption"], sector + 1)
    return scores


# "asked for 500", "anataka elfu tano", "tumlipe 2000": a sum someone demands or is paid. With an official
# it is how most bribes are reported, without the word "bribe".
_DEMAND = re.compile(
    r"(?:[a-z]*itish[a-z]*|[a-z]*lip[ae]|[a-z]*to[ae]|[a-z]+(?:na|li|me)taka|asking|asked|ask|asks|demand[a-z]*"
    r"|wants?|charg[a-z]*|collect[a-z]*|pay|paid|paying)"
)
_SUM_WORDS: Final = frozenset(
    {"mia", "elfu", "laki", "hundred", "thousand", "ksh", "kes", "sh", "shs", "bob", "shilingi"}
)


def _names_a_sum(tokens: Sequence[str]) -> bool:
    """Whether a sum follows a demand or payment within three words."""
    for i, token in enumerate(tokens):
        is_sum = token in _SUM_WORDS or (token.isdigit() and token[0] != "0" and int(token) >= 20)
        if is_sum and any(_DEMAND.fullmatch(before) for before in tokens[max(0, i - 3) : i]):
            return True
    return False


def ranked_categories(scores: Mapping[str, float], tokens: Sequence[str]) -> list[tuple[str, float]]:
    """Every category with its blended score, best first: the rules' scores ("other" standing at
    `OTHER_STANDING`) plus the learned model's doubt, its log posterior relative to its favourite, weighted
    (`category_model.BLEND`). Equal scores go to the narrower category."""
    doubt = category_model.model().log_posterior(tokens)
    blended = {key: scores[key] + BLEND * doubt[key] for key in _TIE_ORDER}
    blended["other"] = max(scores["other"], OTHER_STANDING) + BLEND * doubt["other"]
    order = sorted(blended, key=lambda key: (-blended[key], _TIE_ORDER.index(key)))
    return [(key, blended[key]) for key in order]


def unsure_between(ranked: Sequence[tuple[str, float]], margin: float = ASK_MARGIN) -> tuple[str, ...]:
    """The categories to ask the sender to choose from (best first), when the runners-up come within
    `margin` of the best; () when the reading is sure enough."""
    if len(ranked) < 2 or ranked[0][1] - ranked[1][1] >= margin:
        return ()
    best = ranked[0][1]
    return tuple(key for key, value in ranked[:MAX_CHOICES] if best - value < margin)


def suggest_category(text: str) -> str | None:
    """The category a description reads as (None when nothing in it is read), for forms to pre-fill."""
    tokens = tokenize(text.strip()[:MAX_TEXT_LENGTH])
    return ranked_categories(score_categories(tokens), tokens)[0][0] if tokens else None


# People affected -------------------------------------------------------------------------------------


def _digits(token: str) -> int | None:
    if not token.isdigit() or len(token) > 7 or (len(token) > 1 and token[0] == "0"):
        return None  # phone numbers, "07..." and ids are not counts
    return int(token)


def _sw_small(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """1-99 in words from tokens[i]: (value, index after)."""
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token in SW_UNITS:
        return SW_UNITS[token], i + 1
    if token in SW_TENS:
        value, j = SW_TENS[token], i + 1
        if j + 1 < len(tokens) and tokens[j] == "na" and tokens[j + 1] in SW_UNITS:
            return value + SW_UNITS[tokens[j + 1]], j + 2
        return value, j
    return None


def _sw_number(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """A Kiswahili number in words: "mia mbili na hamsini" = 250, "elfu moja mia tano" = 1500."""
    total, j, found = 0, i, False
    while j < len(tokens):
        token = tokens[j]
        if token in SW_MULTIPLIERS:
            count = _sw_small(tokens, j + 1)
            total += SW_MULTIPLIERS[token] * (count[0] if count else 1)
            j = count[1] if count else j + 1
            found = True
            if (
                j + 1 < len(tokens)
                and tokens[j] == "na"
                and (tokens[j + 1] in SW_MULTIPLIERS or _sw_small(tokens, j + 1))
            ):
                j += 1
            continue
        small = _sw_small(tokens, j)
        if small:
            total += small[0]
            j = small[1]
            found = True
        break
    return (total, j) if found else None


def _en_number(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """An English number in words: "two hundred and fifty" = 250, "a thousand" = 1000."""
    total = current = 0
    j, found = i, False
    while j < len(tokens):
        word, following = tokens[j], tokens[j + 1] if j + 1 < len(tokens) else ""
        if word in EN_UNITS or word in EN_TENS:
            current += EN_UNITS.get(word) or EN_TENS[word]
            found = True
        elif word in EN_MULTIPLIERS and (found or (j > i and tokens[j - 1] == "a")):
            current = (current or 1) * EN_MULTIPLIERS[word]
            if EN_MULTIPLIERS[word] == 1000:
                total, current = total + current, 0
            found = True
        elif not (
            (word == "a" and j == i and following in EN_MULTIPLIERS)
            or (word == "and" and found and (following in EN_UNITS or following in EN_TENS))
        ):
            break
        j += 1
    return (total + current, j) if found else None


def _number_at(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    if i >= len(tokens):
        return None
    value = _digits(tokens[i])
    if value is not None:
        return value, i + 1
    return _sw_number(tokens, i) or _en_number(tokens, i)


_NUMBER_WORDS: Final = frozenset(
    {*SW_UNITS, *SW_TENS, *SW_MULTIPLIERS, *EN_UNITS, *EN_TENS, *EN_MULTIPLIERS, "na", "and", "a"}
)


def _number_ending_at(tokens: Sequence[str], end: int) -> tuple[int, int] | None:
    """The longest number whose last token is tokens[end - 1]: (value, start index)."""
    first = end
    while (
        first > 0 and end - first < 7 and (tokens[first - 1] in _NUMBER_WORDS or tokens[first - 1].isdigit())
    ):
        first -= 1
    for start in range(first, end):
        found = _number_at(tokens, start)
        if found and found[1] == end:
            return found[0], start
    return None


_FILLER_AFTER: Final = {"ya": {"zaidi", "karibu"}, "than": {"more"}, "least": {"at"}}


def _is_filler(tokens: Sequence[str], j: int) -> bool:
    """Whether tokens[j] is part of a filler: "ya" only in "zaidi ya", "than" only in "more than"."""
    word = tokens[j]
    if word not in _FILLERS:
        return False
    if word in _FILLER_AFTER:
        return j > 0 and tokens[j - 1] in _FILLER_AFTER[word]
    if word == "at":
        return j + 1 < len(tokens) and tokens[j + 1] == "least"
    return True


def _is_count(tokens: Sequence[str], start: int, end: int, blocked: frozenset[int]) -> bool:
    if any(k in blocked for k in range(start, end)):
        return False
    if start > 0 and tokens[start - 1] in _NOT_A_COUNT_BEFORE:
        return False
    return not (end < len(tokens) and tokens[end] in _NOT_A_COUNT_AFTER)


def people_affected(
    tokens: Sequence[str], *, blocked: frozenset[int] = frozenset()
) -> tuple[int | None, Literal["people", "households"] | None]:
    """The number of people affected, else of households (houses, families), and which it is.

    Only numbers bound to a count noun count; the largest per unit wins ("watu 200, watoto 50 kati yao"
    is 200), people before households. A count of households is returned as it is: at least that many
    people are affected, and no household size is assumed. Tokens in `blocked` (place names such as
    "Mathare 10") are never numbers.
    """
    found: dict[str, int] = {}
    used: set[int] = set()
    for i, token in enumerate(tokens):
        if token in SW_PEOPLE or token in EN_PEOPLE:
            unit = "people"
        elif token in SW_HOUSEHOLDS or token in EN_HOUSEHOLDS:
            unit = "households"
        else:
            continue
        english = token in EN_PEOPLE or token in EN_HOUSEHOLDS
        tries = ("before", "after") if english else ("after", "before")
        for direction in tries:
            span: tuple[int, int, int] | None = None
            if direction == "after":
                j = i + 1
                while j < len(tokens) and j - i <= 3 and _is_filler(tokens, j):
                    j += 1
                got = _number_at(tokens, j)
                if got:
                    span = (got[0], j, got[1])
            else:
                got = _number_ending_at(tokens, i)
                if got:
                    span = (got[0], got[1], i)
            if span is None:
                continue
            value, start, end = span
            if value <= 0 or any(k in used for k in range(start, end)):
                continue
            if not _is_count(tokens, start, end, blocked):
                continue
            used.update(range(start, end))
            found[unit] = max(found.get(unit, 0), value)
            break
    if "people" in found:
        return found["people"], "people"
    if "households" in found:
        return found["households"], "households"
    return None, None


# Places ----------------------------------------------------------------------------------------------

_KIND_DETAIL = {"settlement": 3, "ward": 2, "constituency": 1, "county": 0}


def _default_finder(text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]:
    return extract_places(text, county_code=county_code)


def _within(inner: PlaceCandidate, outer: PlaceCandidate) -> bool:
    """Whether `inner` lies inside `outer` (a village of a named settlement, a ward of a named county)."""
    if inner is outer or _KIND_DETAIL.get(inner.kind, 0) < _KIND_DETAIL.get(outer.kind, 0):
        return False
    if outer.kind == "settlement":
        return bool(inner.parent_name) and inner.parent_name == outer.name
    if outer.kind == "ward":
        return (
            inner.kind == "settlement" and outer.ward_code is not None and inner.ward_code == outer.ward_code
        )
    if outer.kind == "constituency":
        return inner.kind != "constituency" and inner.constituency_code == outer.constituency_code
    return inner.kind != "county" and inner.county_code == outer.county_code


def best_place(candidates: Sequence[PlaceCandidate]) -> PlaceCandidate | None:
    """The most specific place named: among the candidates about as likely as the best, and those lying
    inside one of them ("Bondeni, Mathare", "Majengo Mombasa": the container confirms the name), the one
    inside most others, then the most specific kind, then the finder's order."""
    if not candidates:
        return None
    top = max(c.score for c in candidates)
    pool = [c for c in candidates if c.score >= top - PLACE_TIE]
    pool += [c for c in candidates if c not in pool and any(_within(c, p) for p in pool)]
    order = {id(c): i for i, c in enumerate(candidates)}
    return max(
        pool,
        key=lambda c: (
            sum(_within(c, other) for other in pool),
            _KIND_DETAIL.get(c.kind, 0),
            -order[id(c)],
        ),
    )


def _place_tokens(tokens: Sequence[str], candidates: Sequence[PlaceCandidate]) -> frozenset[int]:
    """Indices of tokens that spell a found place's name."""
    covered: set[int] = set()
    for c in candidates:
        name = c.matched.split() if c.matched else tokenize(c.name)
        n = len(name)
        for i in range(len(tokens) - n + 1):
            if n and list(tokens[i : i + n]) == name:
                covered.update(range(i, i + n))
    return frozenset(covered)


# Analysis --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a message says. `body` is the report text (after the keyword and category of a RIPOTI
    command); `command`/`reference` are set for keyword commands; `people_unit` says whether
    `people_affected` counted people or households."""

    text: str
    body: str
    language: Language
    category: str
    category_scores: Mapping[str, float] = field(default_factory=dict)
    # Categories close to `category` (best first), to ask the sender about; () when the reading is sure or
    # the sender named the category (`category_said`: RIPOTI <category> ...).
    category_choices: tuple[str, ...] = ()
    category_said: bool = False
    place: PlaceCandidate | None = None
    places: tuple[PlaceCandidate, ...] = ()
    people_affected: int | None = None
    people_unit: Literal["people", "households"] | None = None
    command: str | None = None
    reference: int | None = None

    def to_json(self) -> dict[str, object]:
        place = self.place
        return {
            "language": self.language,
            "category": self.category,
            "category_scores": {k: round(v, 2) for k, v in self.category_scores.items()},
            "category_choices": list(self.category_choices),
            "category_said": self.category_said,
            "place": None
            if place is None
            else {
                "kind": place.kind,
                "name": place.name,
                "ward_code": place.ward_code,
                "constituency_code": place.constituency_code,
                "county_code": place.county_code,
                "score": round(place.score, 3),
            },
            "people_affected": self.people_affected,
            "people_unit": self.people_unit,
            "command": self.command,
            "reference": self.reference,
        }


# The cue the gazetteer reads as "a place name follows", put before the place slot of RIPOTI <category>
# <place> <text> so that names which are also ordinary words ("Bondeni", "Huruma") are found there.
_PLACE_SLOT_CUE = "eneo la "


def analyse(
    text: str, county_hint: int | None = None, *, place_finder: PlaceFinder | None = None
) -> Analysis:
    """Analyse one inbound message. `county_hint` (IEBC code) ranks that county's places first, e.g. the
    county of the sender's group or of the short code."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    text = text.strip()[:MAX_TEXT_LENGTH]
    finder = _default_finder if place_finder is None else place_finder
    command: Command | None = parse_command(text)
    if command is not None and command.kind != "report":
        return Analysis(
            text=text,
            body="",
            language="sw" if command.keyword in {"hali", "acha", "simama", "anza"} else "en",
            category="other",
            category_scores=MappingProxyType(dict.fromkeys(TOP_LEVEL_KEYS, 0.0)),
            command=command.kind,
            reference=command.reference,
        )
    body = command.rest if command is not None else text
    tokens = tokenize(body)
    if body:
        query = _PLACE_SLOT_CUE + body if command is not None else body
        places = tuple(finder(query, county_code=county_hint))
    else:
        places = ()
    place_tokens = _place_tokens(tokens, places)
    scores = score_categories(tokens)
    said = command is not None and bool(command.category)
    choices: tuple[str, ...] = ()
    if said:
        category = command.category if command is not None and command.category else "other"
    else:
        ranked = ranked_categories(scores, tokens)
        category, choices = ranked[0][0], unsure_between(ranked)
    language_tokens, ignore = tokens, place_tokens
    if command is not None:  # the keyword itself says which language the sender chose
        language_tokens = ["report" if command.keyword == "report" else "ripoti", *tokens]
        ignore = frozenset(i + 1 for i in place_tokens)
    people, unit = people_affected(tokens, blocked=place_tokens)
    return Analysis(
        text=text,
        body=body,
        language=detect_language(language_tokens, ignore=ignore),
        category=category,
        category_scores=MappingProxyType(scores),
        category_choices=choices,
        category_said=said,
        place=best_place(places),
        places=places,
        people_affected=people,
        people_unit=unit,
        command=command.kind if command is not None else None,
    )
