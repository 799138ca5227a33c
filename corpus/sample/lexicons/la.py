"""Latin word list and sentence templates (written for this project; cases are approximate).

Latin is written in the Latin script and is not among langdetect's languages: a hard case for an
English filter, labelled ``la`` in the ground truth.
"""

CODE = "la"

WORDS = {
    "NOUN": """domus urbs vir femina puer dies annus tempus via mundus vita manus oculus opus aqua schola amicus
        familia hortus fenestra vesper epistula liber mensa cubiculum caelum silva vicus porta magister medicus
        forum templum nuntius vicinus pons sol pluvia ventus vox facies imago carmen iter consilium res causa
        memoria populus senatus rex regina miles bellum pax terra mare mons flumen insula agricola nauta poeta
        deus dea animus corpus""",
    "ADJ": """vetus novus magnus parvus bonus longus pulcher obscurus clarus quietus frigidus calidus primus
        ultimus iuvenis celer gravis levis simplex mirus fortis sapiens laetus tristis""",
    "VERB": """est erat habet habebat videt vidit invenit scit facit fecit capit cepit dat dedit dicit dixit venit
        manet cogitat credit aperit aperuit scribit scripsit legit portat quaerit emit vendit narrat exspectat
        laborat spectat amat vult ambulat navigat pugnat""",
    "ADV": "hodie cras semper numquam saepe iam adhuc etiam deinde nunc hic ibi valde lente subito tandem mox heri fortasse vere",
    "PREP": "in cum ad ab ex sub ante post per pro sine contra inter de apud",
    "SUB": "quod cum quamquam dum postquam quia",
    "PRON": "is ea nos ego ei tu",
    "NAME": "Marcus Iulia Gaius Cornelia Lucius Claudia Quintus Livia Titus Aurelia",
    "TIME": "mane vesperi nocte postridie aestate hieme multos_annos cotidie",
}

TEMPLATES = (
    "NAME NOUN ADJ in NOUN VERB",
    "TIME PRON NOUN ADV VERB",
    "NOUN ADJ VERB, sed NOUN ADJ VERB",
    "NAME dixit NOUN ADJ esse",
    "Cur PRON NOUN VERB?",
    "PREP NOUN NAME et NAME ADV VERB",
    "SUB NOUN VERB, PRON NOUN VERB",
    "NOUN NOUN ADJ ADV VERB",
)
