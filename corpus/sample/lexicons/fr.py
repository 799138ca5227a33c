"""French word list and sentence templates (written for this project; grammar is approximate)."""

CODE = "fr"

WORDS = {
    "DET": "le la les un une ce cette son sa leur notre chaque",
    "NOUN": """maison ville homme femme enfant jour année temps chemin monde vie main travail eau école ami
        famille rue jardin fenêtre soir matin lettre livre table chambre ciel forêt village train gare
        gouvernement histoire question réponse nuit semaine été hiver pays mer montagne rivière cuisine porte
        professeur médecin marché église journal voisin appartement voiture pont soleil pluie vent voix visage
        image chanson voyage décision problème idée souvenir entreprise police maire commune""",
    "ADJ": """vieux nouveau grand petit bon long beau sombre clair calme froid chaud premier dernier jeune
        tranquille rapide lourd léger important simple étrange propre""",
    "VERB": """est était a avait voit voyait trouve trouvait connaît fait faisait prend prenait donne donnait dit
        disait va allait vient venait reste restait pense pensait croit ouvre ouvrait écrit écrivait lit porte
        apporte cherche achète vend raconte attend travaille regarde aime""",
    "ADV": """aujourd'hui demain toujours jamais souvent déjà encore aussi ensuite maintenant ici là très lentement
        soudain enfin bientôt hier peut-être vraiment""",
    "PREP": "dans avec sur à chez après de vers sous devant derrière près_de pour sans contre entre",
    "SUB": "parce_que quand lorsque bien_que pendant_que",
    "PRON": "il elle on nous je ils",
    "NAME": "Marie Pierre Jean Claire Luc Sophie Michel Camille Julien Élise Antoine Hélène",
    "TIME": """le_matin le_soir pendant_la_nuit le_lendemain en_été en_hiver depuis_des_années chaque_jour
        la_semaine_dernière à_minuit""",
}

TEMPLATES = (
    "DET NOUN ADJ VERB ADV DET NOUN PREP DET NOUN",
    "PRON VERB DET NOUN, et PRON VERB ADV",
    "TIME, NAME VERB DET NOUN PREP DET NOUN",
    "NAME dit que DET NOUN est très ADJ",
    "Il y avait DET NOUN ADJ PREP DET NOUN",
    "PRON ne VERB pas DET NOUN, mais PRON VERB DET NOUN",
    "Pourquoi PRON VERB DET NOUN?",
    "C'est DET NOUN ADJ, SUB PRON VERB ADV",
    "DET NOUN de DET NOUN VERB ADV ADJ",
    "NAME et NAME VERB ADV PREP DET NOUN",
)
