"""The sample evaluation set's English: science-quiz words and question templates (written for this project).

Not a language of the corpus (it is not in ``LANGUAGE_WEIGHTS``): ``corpus.sample.evalset`` builds its items
from it. The quiz categories hold words that no corpus lexicon has (instruments, substances, processes,
small living things), and every template puts one of them at least every few words, so an item can match a
document only where it was planted: ``corpus.sample.evalset`` checks both when it builds the set. The
English categories (``NAME``, ``NOUN``, ``LOC``, ...) are the corpus's own, so items read like the prose
they are planted in.
"""

from corpus.sample.lexicons import en

CODE = "en"

QUIZ_WORDS = {
    "TOOL": """thermometer barometer compass magnifier telescope microscope stopwatch hygrometer anemometer
        voltmeter protractor spectroscope seismograph ammeter pipette""",
    "SUBST": """copper iron aluminium graphite quartz granite limestone sandstone basalt magnesium sodium chlorine
        nitrogen helium sulfur vinegar charcoal paraffin""",
    "METAL": "copper iron aluminium magnesium zinc nickel tin bronze",
    "ORGANISM": """fern moss lichen tadpole caterpillar earthworm salamander beetle mussel sunflower cactus
        seedling mushroom hedgehog pelican""",
    "ORGANISMS": """ferns mosses lichens tadpoles caterpillars earthworms salamanders beetles mussels sunflowers
        seedlings mushrooms hedgehogs pelicans""",
    "RESOURCE": "sunlight moisture nutrients oxygen pollen nectar humus plankton",
    "PROCESS": """evaporation condensation erosion friction photosynthesis magnetism gravity buoyancy refraction
        pollination migration hibernation germination oxidation decomposition""",
    "PROP": """density temperature volume mass conductivity acidity hardness elasticity viscosity salinity
        humidity""",
    "QADJ": """magnetic metallic transparent opaque acidic soluble porous brittle flexible insulating conductive
        dense buoyant""",
    "QVERBS": "evaporates dissolves condenses expands contracts conducts reflects absorbs erodes freezes melts rusts",
    "QVERB": "evaporate dissolve condense expand contract conduct reflect absorb erode freeze melt rust",
    "QPAST": "heated cooled weighed measured stirred filtered poured mixed observed recorded tested",
    "VESSEL": "beaker flask crucible cylinder funnel aquarium terrarium",
}

# A quiz speaks of "the" and "this" beaker, never "her" beaker; the rest of English is the corpus's own.
WORDS = en.WORDS | {"DET": "the the the the the this that"} | QUIZ_WORDS

# Statements: the context of an item, or one of a completion item's endings.
TEMPLATES = (
    "NAME QPAST DET QADJ SUBST in DET VESSEL TIME",
    "The students QPAST DET SUBST with DET TOOL PREP DET LOC",
    "NAME noticed that the ORGANISMS PREP the LOC needed more RESOURCE",
    "DET TOOL showed that DET PROP of DET SUBST had changed",
    "DET SUBST QVERBS when DET VESSEL is left PREP DET LOC",
    "PRON measured DET PROP of DET SUBST TIME",
    "NAME kept DET ORGANISM in DET VESSEL for NUM TUNIT",
    "DET teacher explained how PROCESS changes DET PROP of SUBST",
    "In the experiment, DET SUBST was QADJ and DET METAL was QADJ",
    "Some ORGANISMS need RESOURCE and RESOURCE to grow PREP DET LOC",
    "NAME wrote down DET PROP of each SUBST in DET notebook",
    "After NUM TUNIT, DET ORGANISM in DET VESSEL had grown ADJ",
    "PRON used DET TOOL to follow DET PROCESS of DET SUBST",
    "DET METAL plate QVERBS faster than DET SUBST block",
)

QUESTIONS = (
    "Which instrument should NAME use to measure DET PROP of DET SUBST?",
    "What most likely caused DET SUBST to QVERB in DET VESSEL?",
    "Which property of SUBST makes it QADJ?",
    "Why do ORGANISMS PREP the LOC need RESOURCE?",
    "Which process explains why DET SUBST QVERBS in DET VESSEL?",
    "What will happen to DET ORGANISM if DET VESSEL is ADJ?",
    "Which statement best describes DET PROP of DET QADJ SUBST?",
    "Which result shows that PROCESS has changed DET SUBST?",
)

# Answer options of the questions above (joined without a final full stop, like titles).
CHOICES = (
    "PROCESS",
    "DET PROP of DET SUBST",
    "the TOOL",
    "QADJ SUBST",
    "RESOURCE and RESOURCE",
    "It QVERBS ADVM",
    "the ORGANISMS QVERB",
    "the QADJ METAL",
)

# Short items (fewer than 13 words with their four one-word options): (question template, option category).
SHORT = (
    ("Which instrument measures PROP?", "TOOL"),
    ("What do ORGANISMS need for PROCESS?", "RESOURCE"),
    ("Which metal is QADJ?", "METAL"),
    ("What makes SUBST QVERB?", "PROCESS"),
    ("Which of these lives in DET VESSEL?", "ORGANISM"),
)
