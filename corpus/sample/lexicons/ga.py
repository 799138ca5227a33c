"""Irish word list and sentence templates (written for this project; mutations are approximate).

Irish is written in the Latin script and is not among langdetect's languages: a hard case for an
English filter, labelled ``ga`` in the ground truth.
"""

CODE = "ga"

WORDS = {
    "DET": "an na",
    "NOUN": """teach cathair fear bean páiste lá bliain am bóthar domhan saol lámh súil obair uisce scoil cara
        teaghlach sráid gairdín fuinneog tráthnóna maidin litir leabhar bord seomra spéir coill sráidbhaile
        traein stáisiún rialtas stair ceist freagra oíche seachtain samhradh geimhreadh tír farraige sliabh
        abhainn cistin doras múinteoir dochtúir margadh eaglais nuachtán comharsa carr droichead grian báisteach
        gaoth guth aghaidh pictiúr amhrán turas cinneadh fadhb smaoineamh cuimhne comhlacht""",
    "ADJ": """sean nua mór beag maith fada álainn dorcha geal ciúin fuar te óg tapa trom éadrom tábhachtach simplí
        aisteach glan cáiliúil""",
    "VERB": """bhí tá chonaic feiceann fuair faigheann rinne déanann thóg thug deir dúirt chuaigh téann tháinig
        tagann cheap creideann scríobh léigh cheannaigh dhíol oibríonn breathnaíonn""",
    "ADV": "inniu amárach i_gcónaí riamh go_minic cheana fós freisin ansin anois anseo ansiúd go_tobann faoi_dheireadh go_luath inné",
    "PREP": "i le ar chuig ó faoi os_comhair in_aice_le do gan idir",
    "PRON": "sé sí muid mé siad",
    "NAME": "Seán Máire Pádraig Síle Liam Aoife Niamh Cian Róisín Eoin",
    "TIME": "ar_maidin sa_tráthnóna san_oíche an_lá_dár_gcionn sa_samhradh sa_gheimhreadh gach_lá an_tseachtain_seo_caite",
}

TEMPLATES = (
    "VERB PRON DET NOUN ADJ PREP DET NOUN",
    "VERB NAME DET NOUN TIME",
    "Dúirt NAME go raibh DET NOUN ADJ",
    "VERB PRON DET NOUN, agus VERB PRON ADV",
    "Ní VERB PRON DET NOUN, ach VERB PRON DET NOUN",
    "Cén fáth ar VERB PRON DET NOUN?",
    "Bhí DET NOUN ADJ TIME",
    "VERB NAME agus NAME ADV PREP DET NOUN",
)
