"""Word lists the name and address finders look words up in.

Written for this project from common knowledge of Mexican and US naming (no
outside dataset is copied; same licence as the project). Entries are folded:
lower case, accents removed, as ``fold`` in ``scrubber.text.tokens`` makes them.
The lists need not be complete: a name the gazetteer lacks is still found
after a trigger ("mi hermano ...", "se llama ...") or when capitalised next to
a listed name. What the lists must avoid is common words, which is why names
that are also everyday words or places sit in ``AMBIGUOUS_FIRST_NAMES``.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


FIRST_NAMES = _words("""
aaron abel abigail abraham adalberto adan adela adolfo adrian adriana agustin alan alba alberto
alejandra alejandro alexis alfonso alfredo alicia alma alondra alvaro amanda amelia america ana
anabel andrea andres angela angelica anita antonio araceli arely ariadna armando arturo aurelio
axel beatriz benjamin berenice bernardo bertha blanca brenda brisa bruno camila carla carlos
carmen carolina catalina cecilia cesar christian claudia clemente cristian cristina cynthia
daniel daniela dante dario david delia diana diego dulce edgar eduardo efrain elena elias elisa
elizabeth elsa elvia emilia emiliano emilio enrique erick erika ernesto esteban estela eugenia
eva evelyn ezequiel fabian fabiola federico felipe fernanda fernando fidel flor francisca
francisco gabriel gabriela gael genaro gerardo german gilberto gisela gloria gonzalo graciela
gregorio guillermo gustavo hector heriberto hilda homero horacio hugo humberto ignacio ilse ines
irene iris irma isaac isabel isaias ismael israel itzel ivan ivonne jacobo jaime janet javier
jazmin jessica jimena joaquin joel jonathan jorge jose josefina juan juana julia julian julieta
julio karen karina karla laura leonardo leticia liliana lizbeth lorena lorenzo lourdes lucero
lucia luis luisa manuel marco marcos margarita maria mariana maribel maricela marina mario
marisol marta martha martin mateo matias mauricio maximiliano mayra melissa miguel miriam
moises monica nadia nancy natalia nayeli nestor nicolas noe noemi norma octavio olga omar oscar
osvaldo pablo paola patricia paulina pedro perla rafael ramiro ramon raquel raul rebeca refugio
regina rene reyna ricardo roberto rodolfo rodrigo rogelio rolando ruben rubi ruth salvador samuel
sandra santiago sara saul sebastian sergio silvia sofia sonia susana tania teresa tomas ulises
valentina valeria vanessa veronica vicente victor viridiana ximena yadira yesenia yolanda
yuridia zaira adriel agripina alfonsina amalia anselmo apolinar aurora baltazar bartolo
benito brayan candelaria cirilo crispin damian demetrio dionisio domingo eleazar eliseo
emeterio epifanio eusebio evaristo faustino fermin florencio gaspar gerardo hermelinda
hilario hipolito inocencio isidro jacinto jeronimo jesus juventino leobardo leonel librado
macario marcelino marciano margarito maximino nazario nicanor pascual porfirio primitivo
prudencio reynaldo reymundo rigoberto sabino saturnino severiano silvestre tiburcio timoteo
ubaldo urbano valentin wenceslao yahir zacarias citlali xochitl itzayana tonatiuh cuauhtli
nicte yatziri quetzalli ameyalli ximena kevin jair johan yael alexa valeria renata romina
aldo abril ailin aylin danna dayana dylan elian emmanuel estrella fatima gerson giovanni
ian isaac jade jaqueline joselyn josue karol leslie lizeth marlene mia michelle nataly
oliver pamela roxana sherlyn tadeo uriel yamileth yareli
beto pepe paco lupita chuy memo lalo pancho nacho chema chela conchita lety paty gaby vero
lulu toño tono chucho licha nena pili
john james robert michael william david richard joseph thomas charles christopher daniel
matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
tyler aaron henry adam douglas nathan peter zachary kyle walter harold jeremy ethan carl
keith roger gerald christian terry sean arthur austin noah lawrence jesse joe bryan billy
jordan albert dylan bruce willie gabriel alan juan logan wayne ralph roy eugene randy
vincent russell louis philip bobby johnny bradley mary patricia jennifer linda elizabeth
barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily
donna michelle carol amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen
amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra
rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria
kelly lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline martha
gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace
denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany
charlotte marie kayla alexis lori
""")

# First names that are also everyday words, places or devotions: a name only
# next to a surname, after a trigger, or capitalised beside another name.
AMBIGUOUS_FIRST_NAMES = _words("""
rosa luz paz cruz angel mercedes dolores consuelo amparo soledad socorro pilar esperanza
victoria concepcion asuncion trinidad guadalupe rosario rocio lupe fe gracia alegria
milagros reyes santos pastor leal rey salvador jesus cristo angeles estrella flor perla
abril sol cielo mar paloma azucena violeta jazmin dulce blanca clara celeste coral
belen caridad remedios inocencia patria libertad luna iris gema diamante brisa aurora
santiago lucero ruby will bill mark rose may june april
hope faith joy grace summer dawn art bob frank jack rich sandy guy
domingo urbano alma gloria america estela mia reyna rubi candelaria refugio sabino primitivo
clemente fidel alba eva amber tono nena lulu chucho pili
""")

SURNAMES = _words("""
aguilar aguirre alvarado alvarez arellano arias avila ayala barrera barrios bautista
becerra beltran benitez blanco bravo cabrera calderon camacho campos cano cardenas carrillo
castaneda castillo castro cervantes chavez contreras cordova cortes cruz dominguez duran
escobar espinosa espinoza estrada fernandez figueroa flores fuentes gallardo gallegos garcia
garza gomez gonzalez guerrero gutierrez guzman hernandez herrera ibarra jimenez juarez
lara leon lopez lozano lucero luna macias maldonado marquez martinez medina mejia mendez
mendoza meza miranda molina montes mora morales moreno munoz navarro nunez ochoa ortega
ortiz pacheco padilla perez ponce ramirez ramos rangel reyes rios rivera robles rodriguez
rojas romero rosales rosas ruiz salas salazar salinas sanchez sandoval santiago santos
serrano silva solis soto suarez tapia torres trejo trevino valdez valencia valenzuela
vargas vazquez vega velazquez ventura villa villanueva villarreal zamora zapata avalos
acosta acevedo alcantara almaraz anaya aranda arroyo bernal bonilla cadena camarillo
carrasco cazares cisneros coronado correa davila del delgado diaz elizondo enriquez esparza
esquivel farias galindo galvan gamez gaytan gil godinez granados guevara hinojosa huerta
islas jaramillo lima limon loera magana manzano marin mata mercado montoya murillo najera
nava olivares olvera orozco osorio palacios paredes pena pineda quintero quiroz rico
rocha rubio saenz salgado santana sepulveda sierra tamez tellez tovar urbina uribe
valadez valle vera zarate zuniga canche pech uc chi may tzompa cuautle xicotencatl
tlatelpa huitron tepox coatl ake dzul euan poot cauich
smith johnson williams brown jones miller davis wilson anderson taylor thomas moore
jackson martin lee thompson white harris clark lewis robinson walker young allen king
wright scott hill green adams baker nelson carter mitchell roberts turner phillips campbell
parker evans edwards collins stewart morris murphy cook rogers morgan cooper peterson
bailey reed kelly howard cox ward richardson watson brooks wood james bennett gray hughes
price sanders myers long ross foster powell jenkins perry russell sullivan bell coleman
butler henderson barnes fisher
""")

# Multi-word names that are places in Mexico far more often than people:
# alcaldías, municipalities, avenues and schools named for heroes.
PLACE_NAMES = frozenset(
    tuple(name.split())
    for name in """
benito juarez
emiliano zapata
miguel hidalgo
vicente guerrero
lazaro cardenas
venustiano carranza
francisco villa
gustavo a madero
alvaro obregon
adolfo lopez mateos
ignacio zaragoza
jose maria morelos
francisco i madero
guadalupe victoria
miguel aleman
plutarco elias calles
manuel avila camacho
ignacio allende
mariano escobedo
josefa ortiz de dominguez
valentin gomez farias
melchor ocampo
general escobedo
santa catarina
san pedro garza garcia
salinas victoria
pino suarez
padre mier
diaz ordaz
ruiz cortines
fidel velazquez
garza sada
morones prieto
lazaro cardenas
dolores hidalgo
ciudad victoria
""".strip().splitlines()
)

# Words before a name that make it a place, not a person ("calle Morelos",
# "colonia Guadalupe", "San José", "Escuela Benito Juárez").
PLACE_WORDS = _words("""
calle c av ave avenida blvd bulevar boulevard calzada calz privada priv andador cerrada
callejon prolongacion prol circuito retorno camino paseo carretera autopista libramiento
colonia col fraccionamiento fracc barrio ejido unidad municipio alcaldia delegacion ciudad
cd plaza escuela primaria secundaria preparatoria prepa universidad hospital clinica estadio
mercado parque puente presa rancho hacienda cerro rio puerto villa valle lomas jardines
san santa santo sta sto nuevo nueva general gral villas residencial centro zona estado
street st avenue road rd boulevard drive lane county town city park school bridge
""")

# Words that end a name when they follow it, whatever their case.
STOPWORDS = _words("""
a al ante bajo cabe con contra de del desde durante en entre hacia hasta mediante para por
segun sin sobre tras y e o u ni que quien cual como cuando donde porque pero mas sino
el la los las lo le les un una unos unas mi mis tu tus su sus nuestro nuestra se me te nos
es son fue fueron era eran esta estan estaba estaban ha han hay habia ser estar tiene tienen
hoy ayer manana anoche tarde noche dia dias semana mes ano horas hora minutos
ya no si muy tambien solo aqui alli ahi alla esto eso este ese esa esos esas estos estas
llevaron levantaron detuvieron secuestraron mataron balearon golpearon subieron bajaron
desaparecio desaparecieron encontraron vieron dijeron llego llegaron salio salieron
vive vivia trabaja trabajaba tenia anda andaba iba va van
the a an and or but of to in on at by for with from into near this that these those
is are was were be been has have had today yesterday tonight morning night he she they
his her their my our your it its who which when where took taken missing was
hombres mujeres personas sujetos camionetas camioneta trocas troca vehiculos patrullas armados armada
guardia nacional policia municipal estatal federal ejercito marina fiscalia gobierno
roja proteccion civil secretaria ministerio publico militares soldados
alerta urgente balacera reten enfrentamiento bloqueo disparos
menor mayor chico chica mero mera mayores menores mismo misma otro otra todos todas
desde cuando nadie alguien nada algo favor ayuda ayudenme auxilio
older younger little best
""")

# Words after which the next capitalised words are a person's name:
# kinship, "se llama", titles. Folded, possibly several words.
TRIGGERS = frozenset(
    tuple(t.split())
    for t in """
mi hermano
mi hermana
mi hijo
mi hija
mi papa
mi mama
mi padre
mi madre
mi esposo
mi esposa
mi primo
mi prima
mi tio
mi tia
mi sobrino
mi sobrina
mi nieto
mi nieta
mi novio
mi novia
mi amigo
mi amiga
mi vecino
mi vecina
mi cunado
mi cunada
mi abuelo
mi abuela
se llama
se llamaba
llamado
llamada
de nombre
responde al nombre de
su nombre es
mi nombre es
me llamo
soy
el joven
la joven
el senor
la senora
senor
senora
sr
sra
don
dona
lic
licenciado
licenciada
ing
profe
profesor
profesora
maestro
maestra
comandante
alias
my brother
my sister
my son
my daughter
my father
my mother
my husband
my wife
my cousin
my uncle
my aunt
my friend
my neighbor
my name is
named
called
i am
mr
mrs
ms
miss
officer
""".strip().splitlines()
)
