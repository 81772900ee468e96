"""The Swedish text of demo initiatives: titles, summaries and descriptions that read right.

Sentences are built from parts that fit every combination: a technology is a noun phrase in
three forms (for a title, inside a sentence, after "med"), a task is a noun phrase that may
follow "för", and a goal is an infinitive phrase that follows "för att". No part begins or
ends with a preposition, so no two prepositions meet; "AI" is written in capitals in every
part; each template starts with a capital and ends with a full stop. tests/unit/test_demo_text.py
checks these rules over every combination.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Tech:
    title: str  # "Generativ AI för …"
    phrase: str  # "… använder generativ AI för …"
    with_form: str  # "Fakturahantering med generativ AI"


TECHS = {
    "generative-ai": Tech("Generativ AI", "generativ AI", "generativ AI"),
    "language-technology": Tech("Språkteknologi", "språkteknologi", "språkteknologi"),
    "computer-vision": Tech("Bildanalys", "AI-baserad bildanalys", "AI-baserad bildanalys"),
    "machine-learning": Tech("Maskininlärning", "maskininlärning", "maskininlärning"),
    "optimisation": Tech("AI-baserad optimering", "AI-baserad optimering", "AI-optimering"),
    "speech-recognition": Tech("Taligenkänning", "taligenkänning", "taligenkänning"),
    "chatbot": Tech("Chattbot", "en chattbot", "en AI-chattbot"),
    "process-automation": Tech(
        "Robotiserad processautomation", "robotiserad processautomation (RPA)", "RPA"
    ),
    "digital-twin": Tech("Digital tvilling", "en digital tvilling", "en digital tvilling"),
    "virtual-reality": Tech("VR-träning", "VR-träning", "VR-träning"),
    "automated-decisions": Tech(
        "Automatiserade beslut", "automatiserade beslut", "automatiserade beslut"
    ),
    "robotics": Tech("Robotik", "robotik", "robotik"),
    "other-ai": Tech("AI", "AI", "AI"),
}

# What an initiative does, per operational area: noun phrases that may follow "för".
TASKS = {
    "elderly-care": [
        "planering av hemtjänstens scheman",
        "fallprevention i särskilt boende",
        "dokumentation i äldreomsorgen",
        "tillsyn nattetid",
        "läkemedelshantering i hemsjukvården",
        "introduktion av nya medarbetare i hemtjänsten",
    ],
    "education": [
        "stöd vid bedömning av elevtexter",
        "anpassade läromedel i grundskolan",
        "schemaläggning i gymnasieskolan",
        "språkstöd till nyanlända elever",
        "studie- och yrkesvägledning",
    ],
    "social-services": [
        "handläggning av försörjningsstöd",
        "sammanfattning av journaler",
        "tidiga insatser till barn och unga",
        "planering av placeringar",
    ],
    "urban-planning": [
        "tolkning av detaljplaner",
        "bygglovsrådgivning",
        "granskning av bygglovsansökningar",
        "analys av trafikflöden",
        "dialog om nya bostadsområden",
    ],
    "environment": [
        "övervakning av luftkvalitet",
        "inventering av invasiva arter",
        "tillsyn av enskilda avlopp",
        "kartläggning av grönytor",
    ],
    "culture-leisure": [
        "bokning av idrottshallar",
        "boktips i biblioteket",
        "digitalisering av lokalhistoriska arkiv",
        "planering av fritidsgårdarnas öppettider",
    ],
    "communication": [
        "frågor från invånare dygnet runt",
        "översättning av kommunens webbplats",
        "sortering av inkommande e-post",
        "klarspråk i myndighetstexter",
        "svar i kontaktcenter",
    ],
    "administration": [
        "diarieföring",
        "rekrytering",
        "fakturahantering",
        "protokoll från nämndmöten",
        "lönefrågor från medarbetare",
        "avtalsuppföljning",
    ],
    "it": [
        "kodgranskning",
        "hantering av IT-supportärenden",
        "analys av informationssäkerhet",
    ],
    "technical-services": [
        "läckagesökning i vattenledningsnätet",
        "ruttplanering för sophämtning",
        "energistyrning i kommunens fastigheter",
        "underhåll av gator och vägar",
    ],
    "rescue-services": [
        "riskbedömning vid larm",
        "prognoser för skogsbrandsrisk",
        "övningar för räddningspersonal",
    ],
    "business-labour": [
        "matchning av arbetssökande",
        "företagsrådgivning",
        "analys av upphandlingar",
    ],
}

# The technologies beyond the classic seven, only for the tasks they suit.
TASK_TECHS = {
    "introduktion av nya medarbetare i hemtjänsten": ("virtual-reality",),
    "övningar för räddningspersonal": ("virtual-reality",),
    "studie- och yrkesvägledning": ("virtual-reality",),
    "läkemedelshantering i hemsjukvården": ("robotics",),
    "tillsyn nattetid": ("robotics",),
    "analys av trafikflöden": ("digital-twin",),
    "dialog om nya bostadsområden": ("digital-twin", "virtual-reality"),
    "energistyrning i kommunens fastigheter": ("digital-twin",),
    "läckagesökning i vattenledningsnätet": ("digital-twin",),
    "fakturahantering": ("process-automation",),
    "lönefrågor från medarbetare": ("process-automation",),
    "diarieföring": ("process-automation",),
    "handläggning av försörjningsstöd": ("process-automation", "automated-decisions"),
    "underhåll av gator och vägar": ("robotics",),
}

# After "för att": what the initiative is for, by its first benefit area.
GOALS = {
    "efficiency": ["frigöra tid för kärnverksamheten", "korta handläggningstiderna"],
    "welfare-quality": ["höja kvaliteten i välfärdens tjänster", "ge en mer jämlik service"],
    "resident-service": ["ge invånarna snabbare svar", "göra det enklare att få hjälp"],
    "work-environment": ["minska den administrativa bördan", "ge medarbetarna mer tid"],
    "sustainability": ["minska energiförbrukningen", "minska utsläppen"],
    "safety": ["förebygga olyckor", "öka tryggheten"],
    "democracy": ["göra det lättare att delta och påverka", "öka insynen i besluten"],
    "accessibility": ["göra tjänsterna tillgängliga för fler", "nå invånare på fler språk"],
}
GOAL_FALLBACK = ["skapa nytta för invånarna"]

# Summary templates by status: {who}, {tech}, {task}, {goal} (", för att …" or ""),
# {start} and {end} (years). Each starts with a capital and ends with a full stop.
SUMMARIES = {
    "idea": [
        "{who} vill pröva {tech} för {task}{goal}.",
        "{who} utreder om {tech} kan användas för {task}.",
        "Inom {area_def} funderar {who} på {tech} för {task}.",
    ],
    "pre-study": [
        "{who} gör en förstudie om {tech} för {task}{goal}.",
        "I en förstudie undersöker {who} hur {tech} kan användas för {task}.",
    ],
    "pilot": [
        "{who} testar {tech} för {task} i en pilot{goal}.",
        "I en pilot använder {who} {tech} för {task}.",
        "Med {tech} för {task} vill {who} {goal_bare} – just nu i en pilot.",
    ],
    "production": [
        "{who} använder {tech} för {task}{goal}.",
        "Sedan {start} använder {who} {tech} för {task}.",
        "Med {tech} för {task} vill {who} {goal_bare}.",
    ],
    "ended": [
        "{who} använde {tech} för {task} från {start} till {end}.",
        "{who} har avslutat arbetet med {tech} för {task}.",
    ],
}

# The operational area as it reads after "inom".
AREA_DEFINITE = {
    "elderly-care": "äldreomsorgen",
    "education": "skolan",
    "social-services": "socialtjänsten",
    "urban-planning": "samhällsbyggnaden",
    "environment": "miljöförvaltningen",
    "culture-leisure": "kultur och fritid",
    "communication": "kommunikationsavdelningen",
    "administration": "administrationen",
    "it": "IT-avdelningen",
    "technical-services": "tekniska förvaltningen",
    "rescue-services": "räddningstjänsten",
    "business-labour": "näringslivsenheten",
}

DETAILS = [
    "Arbetet drivs av {area_def} tillsammans med kommunens digitaliseringsfunktion.",
    "Medarbetare inom {area_def} har deltagit sedan starten och utformat arbetssättet.",
    "Lösningen upphandlades gemensamt med andra kommuner i länet.",
    "Personuppgifter hanteras enligt en konsekvensbedömning som gjordes innan starten.",
    "Resultaten följs upp varje kvartal och redovisas för nämnden.",
]
CLOSINGS = [
    "Erfarenheterna delas gärna med andra kommuner.",
    "Hör av dig om du vill veta mer eller göra något liknande.",
    "Nästa steg är att sprida arbetssättet till fler verksamheter.",
]
DEMO_NOTE = "Detta är påhittade exempeldata i Kommunkartan och beskriver inget verkligt projekt."


def who(names: list[str]) -> str:
    """Ale; Ale och Lerum; Ale, Lerum och Partille."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " och " + names[-1]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Text:
    title: str
    summary: str
    description: str


def compose(
    rng: random.Random,
    *,
    names: list[str],
    tech: str,
    area: str,
    task: str,
    benefits: list[str],
    benefit_names: list[str],
    status: str,
    start: int | None,
    end: int | None,
) -> Text:
    """Title, summary and description of one demo initiative (benefit_names in Swedish,
    in the order of `benefits`)."""
    words = TECHS.get(tech, TECHS["other-ai"])
    if rng.random() < 0.6:
        title = f"{words.title} för {task}"
    else:
        title = f"{capital(task)} med {words.with_form}"
    goal_bare = rng.choice(GOALS.get(benefits[0], GOAL_FALLBACK) if benefits else GOAL_FALLBACK)
    templates = [
        t
        for t in SUMMARIES.get(status, SUMMARIES["production"])
        if start is not None or "{start}" not in t
    ]
    summary = rng.choice(templates).format(
        who=who(names),
        tech=words.phrase,
        task=task,
        goal=f" för att {goal_bare}" if rng.random() < 0.6 else "",
        goal_bare=goal_bare,
        area_def=AREA_DEFINITE.get(area, "kommunen"),
        start=start,
        end=end,
    )
    summary = capital(summary)
    paragraphs = [summary]
    facts = []
    if start is not None and status not in ("idea", "ended"):
        facts.append(f"Arbetet startade {start}.")
    facts.append(rng.choice(DETAILS).format(area_def=AREA_DEFINITE.get(area, "verksamheten")))
    if benefit_names:
        named = [n[:1].lower() + n[1:] for n in benefit_names]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " samt " + named[-1]
        facts.append(f"Den väntade nyttan gäller {listed}.")
    paragraphs.append(" ".join(facts))
    paragraphs.append(rng.choice(CLOSINGS))
    paragraphs.append(DEMO_NOTE)
    return Text(title, summary, "\n\n".join(paragraphs))
