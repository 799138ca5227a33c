"""Spanish word list and sentence templates (written for this project; grammar is approximate)."""

CODE = "es"

WORDS = {
    "DET": "el la los las un una este esta su nuestro cada",
    "NOUN": """casa ciudad hombre mujer niño día año tiempo camino mundo vida mano trabajo agua escuela amigo
        familia calle jardín ventana tarde mañana carta libro mesa habitación cielo bosque pueblo tren estación
        gobierno historia pregunta respuesta noche semana verano invierno país mar montaña río cocina puerta
        maestro médico mercado iglesia periódico vecino piso coche puente sol lluvia viento voz cara imagen
        canción viaje decisión problema idea recuerdo empresa policía alcalde""",
    "ADJ": """viejo nuevo grande pequeño bueno largo hermoso oscuro claro tranquilo frío caliente primero último
        joven rápido pesado ligero importante sencillo extraño propio""",
    "VERB": """es era tiene tenía ve veía encuentra encontró conoce hace hizo toma tomó da dio dice dijo va iba
        viene vino queda quedó piensa pensaba cree abre abrió escribe escribió lee lleva trae busca compra vende
        cuenta espera trabaja mira quiere""",
    "ADV": """hoy mañana siempre nunca a_menudo ya todavía también luego ahora aquí allí muy despacio de_repente
        finalmente pronto ayer quizás realmente""",
    "PREP": "en con sobre a desde hacia bajo delante_de detrás_de cerca_de para sin contra entre de por",
    "SUB": "cuando aunque mientras porque",
    "PRON": "él ella nosotros yo ellos usted",
    "NAME": "María José Juan Carmen Luis Ana Carlos Lucía Miguel Isabel Pedro Elena",
    "TIME": """por_la_mañana por_la_noche al_día_siguiente en_verano en_invierno desde_hace_años cada_día
        la_semana_pasada a_medianoche""",
}

TEMPLATES = (
    "DET NOUN ADJ VERB ADV PREP DET NOUN",
    "PRON VERB DET NOUN, y PRON VERB ADV",
    "TIME, NAME VERB DET NOUN PREP DET NOUN",
    "NAME dijo que DET NOUN era muy ADJ",
    "Había DET NOUN ADJ PREP DET NOUN",
    "PRON no VERB DET NOUN, pero VERB DET NOUN",
    "¿Por qué PRON VERB DET NOUN?",
    "Es DET NOUN ADJ, SUB PRON VERB ADV",
    "DET NOUN de DET NOUN VERB ADV ADJ",
    "NAME y NAME VERB ADV PREP DET NOUN",
)
